# The control interface: what a node offers the `entente` command line over the Unix
# socket in its folder. A client first logs in with a token; the session it gets
# answers only what the token's role allows, and every action it asks for passes the
# node's gate (node/audit/action-gate.h) and is recorded in the audit log under the
# token's name.
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
  mainBatchCpuSeconds @13 :Float64;  # CPU of the main thread in batches of group operations and
                                     # import normalisation since start (its share of them); the
                                     # rest of its CPU is the event loop's own, serial work
  groupOperationCpuSeconds @14 :Float64;  # CPU of every thread in hashing to the group and
                                          # blinding since start (crypto/group.h)
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
  consentChanges @5 :UInt64;      # consent states changed (unchanged ones are not counted)
}

struct FieldWarning {
  # An optional field dropped from a row that was kept (an invalid phone, an ambiguous
  # birth date): the customer goes in with its other fields.
  line @0 :UInt64;
  column @1 :Text;                # canonical column name
  reason @2 :Text;                # names the rule, never the value
}

struct BatchOutcome {
  counts @0 :ImportCounts;
  rejections @1 :List(Rejection);
  warnings @2 :List(FieldWarning);
}

struct ImportOptions {
  columns @0 :List(Text);         # the file's columns after mapping, checked once at the start
  dateFormats @1 :List(Field);    # canonical date column -> strftime pattern ("%m/%d/%Y")
  strict @2 :Bool;                # a bad optional field rejects the whole row
  dryRun @3 :Bool;                # check and count everything, store nothing
  full @4 :Bool;                  # the file is the firm's whole customer file
  removeMissing @5 :Bool;         # with full: erase the customers the file no longer holds
  mapping @6 :Text;               # how the file was read: "preset salesforce", "map-file crm.toml"
}

struct FieldTally {
  # Of the customers an import updated, how many had this field changed, added or
  # removed.
  field @0 :Text;
  changed @1 :UInt64;
  added @2 :UInt64;
  removed @3 :UInt64;
}

struct DropTally {
  column @0 :Text;
  reason @1 :Text;
  count @2 :UInt64;
}

struct ImportReport {
  fieldChanges @0 :List(FieldTally);
  dropped @1 :List(DropTally);      # optional fields dropped, per column and reason
  repeatedIds @2 :UInt64;           # rows whose customer_id an earlier row of the file had
  noIdentifier @3 :UInt64;          # customers stored with no identifier to match on
  firstNoIdentifierLine @4 :UInt64;
  missing @5 :UInt64;               # with `full`: stored customers the file does not hold
  missingSample @6 :List(Text);     # the first of their customer_ids
  removed @7 :UInt64;               # with `removeMissing`: how many were erased
  removalRefused @8 :Text;          # why the missing customers were not erased, when not
  suspectColumns @9 :List(Text);    # columns whose values look like special-category data
  dryRun @10 :Bool;
}

struct HeaderCheck {
  notes @0 :List(Text);             # file-level warnings, said once
  specialColumns @1 :List(Text);    # attribute columns stored as special-category data
}

interface CustomerImport {
  rows @0 (rows :List(ImportRow)) -> (outcome :BatchOutcome);
  # One batch, stored atomically: either every good row of it or none.
  finish @1 (clientRejected :UInt64) -> (total :ImportCounts, report :ImportReport);
  # Ends the import; `clientRejected` counts rows the CLI could not parse.
}

struct MatchRequest {
  peer @0 :Text;
  purpose @1 :Text;
  mode @2 :Partner.MatchMode;
  kinds @3 :List(Text);
  attributes @4 :List(Text);      # enrich mode: the partner's attributes asked for
  where @5 :List(Text);           # filters on our side, e.g. "ours:segment=boat-owner"
  by @6 :List(Text);              # breakdowns: "ours:COLUMN" or "theirs:ATTRIBUTE"
  noiseEpsilon @7 :Float64;       # > 0: discrete Laplace noise on every released count
  columns @8 :List(Text);         # campaign list: our columns (and theirs:ATTRIBUTE) per customer
  listCustomers @9 :Bool;         # stream the matched customers (ids, enrich, campaign lists)
  queryName @10 :Text;            # run as this saved query (recorded in its history)
}

struct MatchedCustomer {
  customerId @0 :Text;            # the requester's own customer id
  kinds @1 :List(Text);           # identifier kinds that matched
  fields @2 :List(Field);         # the columns asked for, ours and "theirs:..." received
}

struct GroupCount {
  values @0 :List(Text);          # one value per --by, in order ("(none)" when absent)
  count @1 :UInt64;               # 0 when suppressed
  suppressed @2 :Bool;            # below the minimum group size, or hidden so that it
                                  # cannot be recovered from the total and the others
}

struct MatchProgress {
  phase @0 :Text;                 # selecting, blinding, receiving, finishing
  done @1 :UInt64;
  total @2 :UInt64;
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
  withheld @14 :Bool;             # overlap below the partner's minimum reportable
  minReportableOverlap @15 :UInt64;  # overlap: no count and no ids are shown
  minGroupSize @16 :UInt64;       # the stricter of ours and the partner's
  groups @17 :List(GroupCount);   # with `by`
  by @18 :List(Text);
  noiseEpsilon @19 :Float64;      # noise added to every count shown (0: exact)
  budgetLeft @20 :Float64;        # of this partner, purpose and month, after this query
  overlapSuppressed @21 :Bool;    # the overlap itself is below the minimum group size
  filtered @22 :List(Text);       # the filters applied
  selectedBeforeFilter @23 :UInt64;  # consented customers before the filters
  attributes @24 :List(Text);
  startedAtUnix @25 :Int64;
  withheldBecause @26 :Text;      # "differencing:SESSION" when an earlier exact count over a
                                  # nested set of our customers would reveal a small group
}

struct KindCount {
  kind @0 :Text;
  customers @1 :UInt64;
}

interface MatchSink {
  matched @0 (customers :List(MatchedCustomer)) -> stream;
  progress @1 (progress :MatchProgress) -> stream;
}

struct PeerPolicy {
  purposes @0 :List(Text);
  modes @1 :List(Text);
  minQueryCustomers @2 :UInt64;
  maxQueryCustomers @3 :UInt64;
  sessionsPerDay @4 :UInt32;
  customersPerDay @5 :UInt64;
  minReportableOverlap @6 :UInt64;  # also the minimum group size of released counts
  offeredAttributes @7 :List(Text);
  requireNoise @8 :Bool;
  monthlyEpsilon @9 :Float64;
}

struct PrivacyBudgetUse {
  purpose @0 :Text;
  month @1 :Text;                # YYYY-MM, UTC
  spent @2 :Float64;
  queries @3 :UInt32;
}

struct PeerInfo {
  name @0 :Text;
  address @1 :Text;
  addedAtUnix @2 :Int64;
  fingerprint @3 :Text;          # SHA-256 of its pinned identity key
  revoked @4 :Bool;
  revokedAtUnix @5 :Int64;
  policy @6 :PeerPolicy;
  offeredPurposes @7 :List(Text);
  safetyNumber @8 :Text;         # to compare by phone: both nodes show the same digits
  sessionsToday @9 :UInt32;
  customersToday @10 :UInt64;
  offeredBy @11 :Offerer;        # who issued the invitation, and so offered offeredPurposes
  budget @12 :List(PrivacyBudgetUse);  # this month's noisy queries to this partner, per purpose

  enum Offerer {
    unknown @0;                  # paired before nodes recorded it
    us @1;
    partner @2;
  }
}

struct PolicyChange {
  # Only the fields whose `has…` flag is set change.
  hasPurposes @0 :Bool;
  purposes @1 :List(Text);
  hasModes @2 :Bool;
  modes @3 :List(Text);
  hasMinQuery @4 :Bool;
  minQueryCustomers @5 :UInt64;
  hasMaxQuery @6 :Bool;
  maxQueryCustomers @7 :UInt64;
  hasSessionsPerDay @8 :Bool;
  sessionsPerDay @9 :UInt32;
  hasCustomersPerDay @10 :Bool;
  customersPerDay @11 :UInt64;
  hasMinOverlap @12 :Bool;
  minReportableOverlap @13 :UInt64;
  hasOfferedAttributes @14 :Bool;
  offeredAttributes @15 :List(Text);
  hasRequireNoise @16 :Bool;
  requireNoise @17 :Bool;
  hasMonthlyEpsilon @18 :Bool;
  monthlyEpsilon @19 :Float64;
}

struct TokenInfo {
  name @0 :Text;
  role @1 :Text;
  createdAtUnix @2 :Int64;
  revoked @3 :Bool;
}

struct Identity {
  name @0 :Text;
  fingerprint @1 :Text;
  publicKey @2 :Data;
  keySealed @3 :Bool;            # false: the private key is stored unprotected
}

interface ControlSession {
  # Roles: admin may do everything; marketer may read status and peers and run
  # matches; compliance may read status, peers and (later) consent and audit.
  status @0 () -> (status :NodeStatus);
  identity @1 () -> (identity :Identity);
  beginImport @2 (source :Text, consentOnly :Bool, options :ImportOptions)
      -> (import :CustomerImport, header :HeaderCheck);  # admin
  # consentOnly: `entente consent import` (customer_id and consent columns only).
  # Fails before anything is stored when the header is wrong (an unknown purpose).
  invitePeer @3 (purposes :List(Text), validHours :UInt32) -> (invitation :Text);  # admin
  acceptPeer @4 (invitation :Text, name :Text) -> (peer :PeerInfo);       # admin
  listPeers @5 () -> (peers :List(PeerInfo));
  showPeer @6 (name :Text) -> (peer :PeerInfo);
  setPolicy @7 (name :Text, change :PolicyChange) -> (peer :PeerInfo);    # admin
  revokePeer @8 (name :Text) -> (closedConnections :UInt32);              # admin
  removePeer @9 (name :Text) -> ();                                        # admin
  match @10 (request :MatchRequest, sink :MatchSink) -> (summary :MatchSummary);  # admin, marketer
  # Ids mode streams the matched customers to `sink` before returning.
  createToken @11 (name :Text, role :Text) -> (token :Text);              # admin
  listTokens @12 () -> (tokens :List(TokenInfo));                          # admin
  revokeToken @13 (name :Text) -> (revoked :UInt32);                       # admin
  stop @14 () -> ();                                                       # admin
  # Stops the node cleanly after answering.
  setConsent @15 (change :ConsentRequest) -> (changed :Bool);              # admin
  showConsent @16 (customerId :Text) -> (purposes :List(PurposeConsent));  # admin, compliance
  consentReport @17 () -> (purposes :List(ConsentSummary));               # admin, compliance
  eraseCustomer @18 (customerId :Text) -> (erased :ErasureReport);        # admin
  auditVerify @19 () -> (report :AuditReport);                            # admin, compliance
  auditExport @20 (sinceUnix :Int64, sink :LineSink) -> (lines :UInt64);  # admin, compliance
  beginHistoryImport @21 (source :Text, options :ImportOptions)
      -> (import :CustomerImport, header :HeaderCheck);  # admin
  # `entente history import`: purchase and contact events from an ERP, by event id.
  customerHistory @22 (customerId :Text) -> (history :CustomerHistory);  # admin, compliance
  report @23 (query :ReportQuery) -> (document :Data, contentType :Text);  # admin, compliance
  # `entente report KIND`: rendered by the node (node/reports/) in the format asked.
  showCustomer @24 (query :ReportQuery) -> (document :Data);               # admin, compliance
  # `entente customer show`: the subject report's data sections, text or JSON.
  consentReceipt @25 (query :ReportQuery) -> (document :Data);             # admin, compliance
  # `entente consent receipt`: ISO/IEC TS 27560 fields, JSON.
  saveQuery @26 (query :SavedQueryInfo, replace :Bool) -> ();                # admin, marketer
  # `entente query save`: the match options as the command line took them.
  listQueries @27 () -> (queries :List(SavedQueryInfo));                     # admin, marketer, compliance
  getQuery @28 (name :Text) -> (query :SavedQueryInfo);                     # admin, marketer
  queryHistory @29 (name :Text) -> (runs :List(QueryRunInfo));              # admin, marketer, compliance
  # Every run of the saved query (all saved queries' runs when `name` is empty).
  removeQuery @30 (name :Text) -> ();                                        # admin, marketer
}

struct SavedQueryInfo {
  name @0 :Text;
  arguments @1 :List(Text);       # `entente match` options, e.g. ["--peer", "travel", ...]
  savedBy @2 :Text;
  savedAtUnix @3 :Int64;
}

struct QueryRunInfo {
  name @0 :Text;
  atUnix @1 :Int64;
  actor @2 :Text;
  sessionId @3 :Text;
  outcome @4 :Text;
  shown @5 :Text;                 # the overlap as shown: "1,234", "< 10 ..."
  peer @6 :Text;
}

struct ReportQuery {
  kind @0 :Text;                  # subject, consent, audit, processing
  format @1 :Text;                # text, html, csv, json
  hasSince @2 :Bool;
  sinceUnix @3 :Int64;
  hasUntil @4 :Bool;
  untilUnix @5 :Int64;
  customerId @6 :Text;            # the person, for subject reports, customer show and receipts
  email @7 :Text;
  phone @8 :Text;
  firstName @9 :Text;
  lastName @10 :Text;
  birthDate @11 :Text;
  postalCode @12 :Text;
  country @13 :Text;
}

struct HistoryEventInfo {
  eventId @0 :Text;
  date @1 :Text;                  # YYYY-MM-DD
  type @2 :Text;                  # purchase, return, complaint, complaint_resolved, contact
  category @3 :Text;
  amountMinor @4 :Int64;          # in the currency's minor unit (cents)
  currency @5 :Text;
  channel @6 :Text;
  source @7 :Text;                # the file and line it came from
}

struct HistoryFact {
  name @0 :Text;                  # e.g. purchases.last_12m (docs/operations.md, "Purchase and contact history")
  value @1 :Text;
}

struct CustomerHistory {
  events @0 :List(HistoryEventInfo);
  facts @1 :List(HistoryFact);
}

struct ConsentRequest {
  customerId @0 :Text;
  purpose @1 :Text;
  granted @2 :Bool;
  source @3 :Text;            # where the decision came from, e.g. "phone call 2026-11-20"
  basis @4 :Text;             # consent (default), contract, legitimate-interest
  noticeVersion @5 :Text;
  expiresAtUnix @6 :Int64;    # 0: no expiry
}

struct ConsentChangeInfo {
  granted @0 :Bool;
  atUnix @1 :Int64;
  recordedAtUnix @2 :Int64;
  source @3 :Text;
  basis @4 :Text;
  noticeVersion @5 :Text;
  expiresAtUnix @6 :Int64;
}

struct PurposeConsent {
  purpose @0 :Text;
  description @1 :Text;
  state @2 :Text;             # granted, withdrawn, expired, never-asked
  history @3 :List(ConsentChangeInfo);
}

struct ConsentSummary {
  purpose @0 :Text;
  description @1 :Text;
  granted @2 :UInt64;
  withdrawn @3 :UInt64;
  expired @4 :UInt64;
  neverAsked @5 :UInt64;
}

struct ErasureReport {
  identifiers @0 :UInt32;
  consentPurposes @1 :UInt32;
  storeBytesBefore @2 :UInt64;
  storeBytesAfter @3 :UInt64;
}

struct AuditReport {
  ok @0 :Bool;
  entries @1 :UInt64;
  checkpoints @2 :UInt64;
  uncoveredEntries @3 :UInt64;    # entries after the last signed checkpoint
  firstBadEntry @4 :UInt64;       # 0 when none
  reason @5 :Text;
  receipts @6 :UInt64;            # partners' signed receipts held
  receiptsWithoutEntry @7 :UInt64;  # receipts whose session has no audit entry: entries were removed
  fingerprint @8 :Text;           # the key the checkpoints were verified with
}

interface LineSink {
  lines @0 (lines :List(Text)) -> stream;
}

interface Control {
  login @0 (token :Text) -> (session :ControlSession, name :Text, role :Text);
  # Fails with a clear message for an unknown or revoked token.
}
