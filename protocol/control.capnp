# The control interface: what a node offers the `entente` command line over the Unix
# socket in its folder. Every method is recorded through the node's action log
# (node/action-log.h), which attributes and logs it.
@0xb2e8d6c4a1f30957;

$import "/capnp/c++.capnp".namespace("entente::protocol::control");

using Partner = import "partner.capnp";

struct NodeStatus {
  name @0 :Text;
  listen @1 :Text;
  region @2 :Text;
  consortium @3 :Text;
  customers @4 :UInt64;
  sharedIdentifiers @5 :UInt64;   # identifiers held by more than one customer
  peers @6 :UInt32;
  storeBytes @7 :UInt64;
  peakRssKiB @8 :UInt64;
  uptimeSeconds @9 :UInt64;
  wireBytesSent @10 :UInt64;      # on partner connections since start
  wireBytesReceived @11 :UInt64;
  pid @12 :UInt32;
}

struct Field {
  name @0 :Text;                  # canonical column name or attribute name
  value @1 :Text;
}

struct ImportRow {
  line @0 :UInt64;                # line in the source file, for rejections
  fields @1 :List(Field);
}

struct Rejection {
  line @0 :UInt64;
  reason @1 :Text;                # names the field and rule, never its value
}

struct ImportCounts {
  inserted @0 :UInt64;
  updated @1 :UInt64;
  unchanged @2 :UInt64;
  rejected @3 :UInt64;
  sharedIdentifiers @4 :UInt64;   # identifiers this batch gave a second holder
}

struct BatchOutcome {
  counts @0 :ImportCounts;
  rejections @1 :List(Rejection);
}

interface CustomerImport {
  rows @0 (rows :List(ImportRow)) -> (outcome :BatchOutcome);
  # One batch, stored atomically: either every good row of it or none.
  finish @1 (clientRejected :UInt64) -> (total :ImportCounts);
  # Ends the import; `clientRejected` counts rows the CLI could not parse.
}

struct MatchRequest {
  peer @0 :Text;
  purpose @1 :Text;
  mode @2 :Partner.MatchMode;
  kinds @3 :List(Text);
}

struct MatchedCustomer {
  customerId @0 :Text;            # the requester's own customer id
  kinds @1 :List(Text);           # identifier kinds that matched
}

struct MatchSummary {
  sessionId @0 :Text;
  peer @1 :Text;
  purpose @2 :Text;
  mode @3 :Partner.MatchMode;
  ownCustomers @4 :UInt64;        # customers that entered the session
  ownValues @5 :UInt64;
  partnerValues @6 :UInt64;
  overlap @7 :UInt64;             # customers of ours that matched, each once
  tagBytes @8 :UInt8;
  seconds @9 :Float64;
  wireBytesSent @10 :UInt64;
  wireBytesReceived @11 :UInt64;
  matchesByKind @12 :List(KindCount);  # ids mode only
  ownIdentifiers @13 :UInt64;     # real identifiers among ownValues (the rest is padding)
}

struct KindCount {
  kind @0 :Text;
  customers @1 :UInt64;
}

interface MatchSink {
  matched @0 (customers :List(MatchedCustomer)) -> stream;
}

struct PeerInfo {
  name @0 :Text;
  address @1 :Text;
  addedAtUnix @2 :Int64;
}

interface Control {
  status @0 () -> (status :NodeStatus);
  beginImport @1 (source :Text) -> (import :CustomerImport);
  addPeer @2 (name :Text, address :Text) -> (replaced :Bool);
  removePeer @3 (name :Text) -> ();
  listPeers @4 () -> (peers :List(PeerInfo));
  match @5 (request :MatchRequest, sink :MatchSink) -> (summary :MatchSummary);
  # Ids mode streams the matched customers to `sink` before returning.
  stop @6 () -> ();
  # Stops the node cleanly after answering.
}
