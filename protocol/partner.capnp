# The partner interface: what one Entente node offers another over the network.
#
# Only blinded group elements (32-byte ristretto255 encodings raised to a secret
# scalar of the session) and truncated hashes of them cross this interface; never an
# identifier, never an unkeyed hash of one. docs/protocol.md describes each message
# and what it reveals.
@0x9f4b3c2d1e0a5b67;

$import "/capnp/c++.capnp".namespace("entente::protocol::wire");

const protocolVersion :UInt32 = 1;

enum MatchMode {
  count @0;   # the requester learns the size of the overlap only
  ids @1;     # the requester learns which of its own customers are shared
  enrich @2;  # ids, and the attributes the responder offers about each shared customer
}

struct SessionRequest {
  protocolVersion @0 :UInt32;
  requesterNode @1 :Text;     # the requester's node name, as the responder's peer list knows it
  consortium @2 :Text;        # both nodes must hash into the same domain
  purpose @3 :Text;
  mode @4 :MatchMode;
  kinds @5 :List(Text);       # identifier kinds, e.g. "email", "phone"
  requestGroups @6 :UInt64;   # how many customers the requester will send
  valuesPerGroup @7 :UInt8;   # values per customer: one per kind, padded
  attributes @8 :List(Text);  # enrich mode: the responder's attributes asked for
}

struct SessionOffer {
  sessionId @0 :Text;         # random, names the session in both nodes' logs
  responderValues @1 :UInt64; # how many tags the responder will stream
  tagBytes @2 :UInt8;         # length of each tag (see crypto/group.h tagBytesFor)
  minGroupSize @3 :UInt64;    # the responder's minimum group size for released counts
  requireNoise @4 :Bool;      # breakdowns by the responder's attributes must be noisy
  monthlyEpsilon @5 :Float64; # the privacy budget per purpose and month it grants (0: none)
}

struct BlindedBatch {
  # 32-byte encodings back to back, whole customers only: every customer of the
  # requester contributes exactly `valuesPerGroup` values (absent identifiers are
  # padded with random points), so the batch's grouping reveals nothing.
  points @0 :Data;
}

struct Receipt {
  # A node's signed statement about one session (node/match/session-receipt.h): the
  # canonical text and the Ed25519 signature of the signer's identity key over it.
  text @0 :Text;
  signature @1 :Data;
}

interface RequesterSink {
  # Implemented by the requester, called by the responder.
  tags @0 (tags :Data, sealed :Data) -> stream;
  # The responder's tags, `tagBytes` each, in sorted order (which is as good as random:
  # the tags are pseudo-random and the order reveals nothing the values do not).
  # Enrich mode: `sealed` holds one sealed attribute record per tag, in the same order
  # (crypto/attribute-seal.h); empty otherwise.
  tagsDone @1 (count :UInt64);
  # All tags sent; `count` lets the requester check it received each.
  shuffled @2 (batch :BlindedBatch) -> stream;
  # Count mode: the requester's values raised to the responder's scalar, whole
  # customers (valuesPerGroup values each) in a random order, sent only after the
  # responder has received every value.
}

interface MatchSession {
  blind @0 (batch :BlindedBatch) -> (answer :BlindedBatch);
  # Ids and enrich mode: the same values raised to the responder's scalar, in the same order.
  submit @1 (batch :BlindedBatch) -> stream;
  # Count mode: values kept by the responder until `finish`.
  finish @2 (receipt :Receipt) -> (values :UInt64, receipt :Receipt);
  # Each side hands the other its signed receipt of the session; both store the
  # other's, so either firm can later prove what the other asked for.
  # Count mode: the responder shuffles the customers it received, streams them back
  # through RequesterSink.shuffled, then returns. Ids mode: ends the session.
}

interface Partner {
  openSession @0 (request :SessionRequest, sink :RequesterSink)
      -> (offer :SessionOffer, session :MatchSession);
  # Refused with an exception whose description says why (a purpose, mode or size
  # the partner's policy does not allow, a spent daily budget, an unsupported kind, a
  # consortium mismatch). On acceptance the responder starts streaming its tags to
  # `sink` at once. Served only on session connections from a paired, unrevoked peer.

  completePairing @1 (secret :Text, nodeName :Text, address :Text) -> (nodeName :Text);
  # The first connection of a node that accepted this node's invitation: the TLS
  # handshake proved its identity key, `secret` proves it holds the invitation.
  # Served only on pairing connections (ALPN "entente-pair/1").
}
