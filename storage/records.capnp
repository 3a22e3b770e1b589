# The records a node keeps in its LMDB store. Each is stored in canonical form (one
# segment, no segment table) and read in place from the memory map.
@0xc7d1e3a0b5f49a21;

$import "/capnp/c++.capnp".namespace("entente::storage::schema");

struct Attribute {
  # A column of the customer file that is not one of the canonical ones (segment,
  # income band, interests, ...), kept under its column name.
  name @0 :Text;
  value @1 :Text;
  specialCategory @2 :Bool;  # GDPR Art. 9 data: shown to the firm's users, never offered to a partner
}

struct Identifier {
  # A normalised identifier. `kind` is opaque to storage (crypto/identifier-kind.h defines
  # the values); the pair is also a key of the identifier index.
  kind @0 :UInt8;
  value @1 :Text;
}

struct Customer {
  customerId @0 :Text;      # the firm's own id, as imported
  email @1 :Text;           # canonical contact and profile fields, as imported
  phone @2 :Text;
  firstName @3 :Text;
  lastName @4 :Text;
  birthDate @5 :Text;       # normalised to YYYY-MM-DD when given
  postalCode @6 :Text;
  country @7 :Text;         # ISO 3166-1 alpha-2 when given
  attributes @8 :List(Attribute);
  identifiers @9 :List(Identifier);
}

struct PeerPolicy {
  # What this node allows the partner to ask of it (enforced when this node
  # responds) and what it shows of the partner's answers (applied when it asks).
  purposes @0 :List(Text);
  modes @1 :List(Text);                 # "count", "ids"
  minQueryCustomers @2 :UInt64;
  maxQueryCustomers @3 :UInt64;
  sessionsPerDay @4 :UInt32;
  customersPerDay @5 :UInt64;           # customers the partner may send us per day
  minReportableOverlap @6 :UInt64;      # below this, our CLI shows no count and no ids; also the
                                        # minimum group size of every count released either way
  offeredAttributes @7 :List(Text);     # attributes the partner may ask for in enrich mode
  requireNoise @8 :Bool;                # breakdowns by our attributes must be noisy
  monthlyEpsilon @9 :Float64;           # privacy budget per purpose and calendar month
  hasMonthlyEpsilon @10 :Bool;          # false in records written before the budget existed
}

struct Peer {
  name @0 :Text;
  address @1 :Text;         # host:port of its partner endpoint
  addedAtUnix @2 :Int64;
  publicKey @3 :Data;       # its pinned Ed25519 identity key (32 bytes)
  revoked @4 :Bool;
  revokedAtUnix @5 :Int64;
  policy @6 :PeerPolicy;
  offeredPurposes @7 :List(Text);  # the purposes the pairing's invitation offered
  invitedBy @8 :Inviter;            # whose invitation paired us: says who offered them

  enum Inviter {
    unknown @0;    # paired before this was recorded
    thisNode @1;
    partner @2;
  }
}

struct Token {
  # A local credential for the control socket. Stored under the BLAKE2b hash of the
  # token's secret: the secret itself is shown once, at creation, and never kept.
  name @0 :Text;
  role @1 :Text;            # "admin", "marketer", "compliance"
  createdAtUnix @2 :Int64;
  revoked @3 :Bool;
}

struct Invitation {
  # An invitation this node issued, stored under the hash of its one-time secret.
  purposes @0 :List(Text);
  createdAtUnix @1 :Int64;
  expiresAtUnix @2 :Int64;
  usedBy @3 :Text;          # the peer that completed the pairing with it, once used
}

struct DailyUsage {
  # What one partner asked of this node on one UTC day (for its budgets).
  sessions @0 :UInt32;
  customers @1 :UInt64;
}

struct ConsentChange {
  granted @0 :Bool;           # true: granted; false: withdrawn
  atUnix @1 :Int64;           # when it took effect (the grant date a file gives, else when recorded)
  recordedAtUnix @2 :Int64;   # when this node recorded it
  source @3 :Text;            # "import crm.csv:17", "cli:ana", "consent-import cmp.csv:4"
  basis @4 :Text;             # "consent", "contract", "legitimate-interest"
  noticeVersion @5 :Text;     # the privacy notice the person was shown
  expiresAtUnix @6 :Int64;    # 0: no expiry; after it, the grant counts as withdrawn
}

struct ConsentRecord {
  # One customer's consent for one purpose: every change, oldest first. The current
  # state is the last change; no change at all is "never asked".
  changes @0 :List(ConsentChange);
}

struct SessionReceipt {
  # What one node states about a finished match session, signed with its identity key.
  # Declared but unused: receipts are stored as the partner's text and signature by
  # storage/receipt-store.h.
  sessionId @0 :Text;
  requesterFingerprint @1 :Text;
  responderFingerprint @2 :Text;
  purpose @3 :Text;
  mode @4 :Text;
  requestCustomers @5 :UInt64;
  responderValues @6 :UInt64;
  completedAtUnix @7 :Int64;
  signerFingerprint @8 :Text;
  signature @9 :Data;         # Ed25519 over the receipt's canonical text (node/match/session-receipt.h)
}

struct HistoryEvent {
  # One event of a customer's purchase and contact history, as the firm's ERP exported
  # it (storage/history-store.h). The customer is the table key's prefix, not a field.
  eventId @0 :Text;           # the ERP's own id of the event: a re-import updates, never duplicates
  dateDays @1 :Int32;         # the event's date as days since 1970-01-01 (4 bytes, sharing
                              # a data word with `type`; ISO text would cost a pointer and 16)
  type @2 :UInt8;             # 1 purchase, 2 return, 3 complaint, 4 complaint_resolved,
                              # 5 contact (storage::HistoryEventType); 0 is never stored
  hasAmount @3 :Bool;         # false: the event has no amount (a contact, a complaint)
  amountMinor @4 :Int64;      # the amount in hundredths of the currency unit (cents), so
                              # that sums are exact; never negative (a return subtracts)
  currency @5 :Text;          # ISO 4217 code, upper case; empty when not given
  category @6 :Text;          # free text from the ERP, trimmed; may be empty
  channel @7 :Text;           # free text from the ERP (shop, web, phone...), trimmed; may be empty
  importedAtUnix @8 :Int64;   # when this content was first stored (an unchanged re-import keeps it)
  source @9 :Text;            # "history import erp.csv:17": the file and line, for the
                              # subject-access report
}

struct Participation {
  # Which of this node's customers took part in one match session, in one role
  # (storage/participation-store.h). Customer keys are kept as a sorted list coded as
  # varint deltas (storage/key-list.h): about one or two bytes a customer.
  sessionId @0 :Text;
  partner @1 :Text;           # the peer's name on this node
  role @2 :Text;              # "requester" or "responder"
  purpose @3 :Text;
  mode @4 :Text;              # "count", "ids"
  outcome @5 :Text;           # "completed", "failed", "cancelled"
  atUnix @6 :Int64;           # when the session ended (or was recorded)
  offered @7 :Data;           # customers whose blinded identifiers went to the partner
  offeredCount @8 :UInt64;
  matched @9 :Data;           # requester, ids mode: customers found shared
  matchedCount @10 :UInt64;
  attributes @11 :List(Text); # attributes received about matched customers (enrichment)
  erased @12 :UInt64;         # customers later erased from this record (their keys removed)
  released @13 :UInt64;       # requester: the overlap shown to the user
  releasedExact @14 :Bool;    # it was shown exactly (no noise, not withheld)
}

struct CustomerSource {
  # One file that wrote a customer's record: where it came from and when.
  source @0 :Text;            # "import crm.csv"
  mapping @1 :Text;           # "preset salesforce", "map-file crm.toml", "" for canonical columns
  actor @2 :Text;             # the token that ran the import
  firstAtUnix @3 :Int64;      # when this file first wrote the record
  lastAtUnix @4 :Int64;       # when it last changed it
  lastLine @5 :UInt64;        # its line in the latest file of that name
}

struct CustomerSources {
  sources @0 :List(CustomerSource);
}

struct SavedQuery {
  # A marketer's match saved under a name (`entente query save`): the command line's
  # match options, replayed by `entente query run`.
  name @0 :Text;
  arguments @1 :List(Text);
  savedBy @2 :Text;          # the token's name
  savedAtUnix @3 :Int64;
}

struct QueryRun {
  atUnix @0 :Int64;
  actor @1 :Text;
  sessionId @2 :Text;
  outcome @3 :Text;          # completed, failed
  shown @4 :Text;            # the overlap as shown ("1,234", "< 10", "withheld")
  peer @5 :Text;
}
