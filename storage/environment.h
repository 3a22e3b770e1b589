// The node's LMDB environment: one memory-mapped file holding every named database
// of the node, opened once per process. This header is the only place that knows
// LMDB; the stores above it (customer-store.h, peer-store.h) speak in records.
//
// Errors: every failure is a StoreError whose message says what failed and what to do
// next. LMDB return codes never escape this layer.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct MDB_env;
struct MDB_txn;
struct MDB_cursor;

namespace entente::storage {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes as LMDB hands them out: valid until the transaction that produced them ends.
using Bytes = std::span<const uint8_t>;

inline Bytes bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view textOf(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Identifies one named database inside the environment.
enum class Table : unsigned {
  META,          // schema version, counters
  CUSTOMERS,     // customer key (u64 big-endian) -> Customer record (canonical Cap'n Proto)
  CUSTOMER_IDS,  // customer_id as imported -> customer key
  IDENTIFIERS,   // kind byte || normalised value -> customer keys (sorted duplicates)
  PEERS,         // peer name -> Peer record
  TOKENS,        // BLAKE2b(token secret) -> Token record
  INVITATIONS,   // BLAKE2b(invitation secret) -> Invitation record
  PEER_USAGE,    // peer name || 0x00 || YYYYMMDD -> DailyUsage
  CONSENT,       // customer key (u64 big-endian) || purpose -> ConsentRecord (state and history)
  RECEIPTS,      // session id || "/" || signer role -> receipt text || 64-byte signature (receipt-store.h)
  AUDIT,         // entry number (u64 big-endian, from 1) -> audit entry (opaque; see node/audit/audit-entry.h)
  AUDIT_CHECKPOINTS,  // entries covered (u64 big-endian) -> signed checkpoint (opaque)
  // Appended after the first release: a store written before opens and gains them
  // empty (Environment::open creates a missing table), so no schema version change.
  HISTORY,            // customer key (u64 big-endian) || day || event id || padding -> HistoryEvent (history-store.h)
  HISTORY_EVENT_IDS,  // event id -> customer key (u64 big-endian) || day (history-store.h)
  PARTICIPATION,      // time (i64 BE) || session id || "/" || role -> Participation (participation-store.h)
  ERASURE_MARKS,      // keyed BLAKE2b of an erased identifier -> erasure time (i64 BE) (erasure-marks.h)
  CUSTOMER_SOURCES,   // customer key (u64 big-endian) -> CustomerSources (customer-sources.h)
  PRIVACY_BUDGET,     // peer || 0x00 || purpose || 0x00 || YYYY-MM -> epsilon spent, queries (privacy-budget.h)
  SAVED_QUERIES,      // query name -> SavedQuery (saved-queries.h)
  QUERY_RUNS,         // query name || 0x00 || time (i64 BE) || number (u64 BE) || session id -> QueryRun (saved-queries.h)
  ROW_DIGESTS,        // customer key (u64 big-endian) -> digest of the row it was imported from (row-digests.h)
  TERMS,              // "t" || text -> number (u32 BE); "n" || number -> text (terms.h)
  COUNT_
};

class Transaction;

class Environment {
 public:
  // Opens (creating when `create`) the store in `dir`. Throws StoreError when the
  // directory is missing, locked by an incompatible version, or of another schema.
  static constexpr uint32_t kSchemaVersion = 1;
  Environment(const std::filesystem::path& dir, bool create);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  uint32_t schemaVersion() const { return schemaVersion_; }
  // Bytes of the map in use (pages written), for `entente node status`.
  uint64_t bytesInUse() const;
  // Size of the data file on disk.
  uint64_t fileBytes() const;
  // The id of the last committed write transaction: a commit that wrote nothing
  // leaves it as it was (LMDB writes no meta page for it).
  uint64_t lastTransaction() const;

  // Rewrites the store with live data only and replaces the file, so that nothing a
  // deleted record held survives in free pages (erasure). Needs every transaction
  // closed: throws StoreError when one is open (a match session reading), saying to
  // retry. The caller marks the store "compaction pending" in the erasure's own commit
  // (markCompactionPending); compact() clears the flag only once the compacted file is
  // in place, so that a crash in between is finished at the next start
  // (compactIfPending).
  void compact();
  void markCompactionPending(Transaction& txn);
  // Returns true when a pending compaction was done.
  bool compactIfPending();
  size_t openTransactions() const { return openTransactions_; }
  // Whether the file system of the store has (nearly) no room left: a failed write is
  // then reported as a full disk, whatever errno the file system chose.
  bool diskIsFull() const;

 private:
  friend class Transaction;
  friend class Cursor;
  unsigned dbi(Table table) const { return dbis_[static_cast<unsigned>(table)]; }

  void open(bool create);
  // Writes every live entry into a fresh store in `scratch`; an LMDB return code.
  int copyLiveEntries(const std::filesystem::path& scratch) const;

  std::filesystem::path dir_;
  MDB_env* env_ = nullptr;
  unsigned dbis_[static_cast<unsigned>(Table::COUNT_)] = {};
  uint32_t schemaVersion_ = 0;
  size_t openTransactions_ = 0;
};

// A read or write transaction. A write transaction that is destroyed without commit()
// is aborted, so an exception anywhere in a batch leaves the store as it was.
class Transaction {
 public:
  enum class Mode { READ, WRITE };
  Transaction(Environment& env, Mode mode);
  // A write transaction nested in `parent`: its changes become part of the parent when
  // it commits, and vanish alone when it is aborted (one import row that the store
  // refuses does not take its batch down). The parent must not be used meanwhile.
  explicit Transaction(Transaction& parent);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  void commit();
  bool writable() const { return mode_ == Mode::WRITE; }

  // Returns false when the key is absent.
  bool get(Table table, Bytes key, Bytes& value) const;
  void put(Table table, Bytes key, Bytes value);
  // Adds a pair that sorts after every pair of the table, for loading sorted data: no
  // search, and a full page is left full (LMDB's MDB_APPEND; for a duplicate-sorted
  // table, `sameKey` adds another value to the last key, MDB_APPENDDUP). Throws
  // StoreError when the pair does not sort last.
  void append(Table table, Bytes key, Bytes value, bool sameKey);
  // Deletes the key (all its duplicates); returns false when absent.
  bool erase(Table table, Bytes key);
  // For duplicate-sorted tables: deletes one (key, value) pair.
  bool eraseDuplicate(Table table, Bytes key, Bytes value);
  // For duplicate-sorted tables: the number of values under a key (0 when absent).
  size_t duplicateCount(Table table, Bytes key) const;
  uint64_t entries(Table table) const;

  // What Terms (terms.h) looked up or numbered in this transaction. It is valid
  // exactly as long as the transaction, which sees one snapshot and its own writes;
  // a nested transaction has its own, so that an aborted one takes its terms along.
  struct TermMemo {
    std::unordered_map<std::string, uint32_t> numbers;
    std::unordered_map<uint32_t, std::string> texts;
  };
  TermMemo& termMemo() const { return termMemo_; }

 private:
  friend class Environment;
  friend class Cursor;
  Environment* env_;
  MDB_txn* txn_ = nullptr;
  Mode mode_;
  mutable TermMemo termMemo_;
};

// Walks a table in key order. Valid while its transaction is.
class Cursor {
 public:
  Cursor(const Transaction& txn, Table table);
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // Positions at the first entry / the first key >= `key` / the next entry (next
  // duplicate included). Each returns false when there is none.
  bool first();
  bool last();
  bool seek(Bytes key);
  bool next();
  // For duplicate-sorted tables: all values of one key, in order.
  bool firstDuplicateOf(Bytes key);
  bool nextDuplicate();

  Bytes key() const { return key_; }
  Bytes value() const { return value_; }

 private:
  friend class Transaction;
  bool move(int op, Bytes* wantKey);
  MDB_cursor* cursor_ = nullptr;
  Bytes key_, value_;
};

// Big-endian so that keys sort in numeric order.
std::array<uint8_t, 8> encodeKey(uint64_t key);
uint64_t decodeKey(Bytes bytes);

}  // namespace entente::storage
