#include "storage/environment.h"

#include <lmdb.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace entente::storage {
namespace {

// Virtual size of the map. LMDB reserves address space, not disk: the file grows only
// as pages are written. 16 GiB holds about 9.5 million sample customers at the 1.6-1.8 KB each
// that bench/import measures (docs/scaling.md, section 2): the limit a larger firm meets first.
constexpr size_t kMapSize = size_t{16} << 30;

constexpr const char* kTableNames[] = {"meta",  "customers",   "customer-ids", "identifiers", "peers",
                                       "tokens", "invitations", "peer-usage",   "consent",     "receipts",
                                       "audit", "audit-checkpoints", "history", "history-event-ids",
                                       "participation", "erasure-marks", "customer-sources",
                                       "privacy-budget", "saved-queries", "query-runs", "row-digests", "terms"};
static_assert(std::size(kTableNames) == static_cast<size_t>(Table::COUNT_));

[[noreturn]] void fail(int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + mdb_strerror(rc);
  if (rc == MDB_MAP_FULL) {
    message += " (the store reached its 16 GiB map size; free disk space or erase data, then retry)";
  } else if (rc == ENOSPC) {
    message += " (the disk is full; free space and retry: nothing of this change was stored)";
  } else if (rc == MDB_BAD_VALSIZE) {
    message += " (a key is longer than the store's limit of 511 bytes, or empty)";
  } else if (rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH) {
    message += " (the store file is damaged or was written by another program; restore it from a backup)";
  }
  throw StoreError(message);
}

void check(int rc, std::string_view what) {
  if (rc != MDB_SUCCESS) fail(rc, what);
}

MDB_val valOf(Bytes b) {
  return MDB_val{b.size(), const_cast<uint8_t*>(b.data())};
}
Bytes bytesOfVal(const MDB_val& v) { return {static_cast<const uint8_t*>(v.mv_data), v.mv_size}; }

const uint8_t kSchemaKey[] = "schema_version";

// Each table's flags, the same in a copy as in the store.
unsigned tableFlags(unsigned i) {
  return static_cast<Table>(i) == Table::IDENTIFIERS ? MDB_DUPSORT | MDB_DUPFIXED : 0;
}

}  // namespace

std::array<uint8_t, 8> encodeKey(uint64_t key) {
  std::array<uint8_t, 8> out;
  for (int i = 7; i >= 0; --i, key >>= 8) out[i] = static_cast<uint8_t>(key);
  return out;
}

uint64_t decodeKey(Bytes bytes) {
  if (bytes.size() != 8) throw StoreError("a customer key is not 8 bytes: the store is damaged");
  uint64_t key = 0;
  for (uint8_t b : bytes) key = key << 8 | b;
  return key;
}

Environment::Environment(const std::filesystem::path& dir, bool create) : dir_(dir) {
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(dir, ec);
    if (ec) throw StoreError("cannot create the store directory " + dir.string() + ": " + ec.message());
  } else if (!std::filesystem::is_directory(dir, ec)) {
    throw StoreError("no store at " + dir.string() +
                     "; create the node first with `entente node init --dir ...`");
  }
  open(create);
}

void Environment::open(bool create) {
  const auto& dir = dir_;
  check(mdb_env_create(&env_), "cannot create an LMDB environment");
  try {
    check(mdb_env_set_maxdbs(env_, static_cast<MDB_dbi>(Table::COUNT_)), "mdb_env_set_maxdbs");
    check(mdb_env_set_mapsize(env_, kMapSize), "mdb_env_set_mapsize");
    // NOTLS: a read transaction may outlive the event-loop turn that opened it (a
    // match session reads one consistent snapshot from start to end).
    check(mdb_env_open(env_, dir.c_str(), MDB_NOTLS, 0600),
          "cannot open the store at " + dir.string());

    Transaction txn(*this, Transaction::Mode::WRITE);
    for (unsigned i = 0; i < static_cast<unsigned>(Table::COUNT_); ++i) {
      unsigned flags = MDB_CREATE | tableFlags(i);
      MDB_dbi dbi;
      check(mdb_dbi_open(txn.txn_, kTableNames[i], flags, &dbi),
            std::string("cannot open table ") + kTableNames[i]);
      dbis_[i] = dbi;
    }
    Bytes stored;
    Bytes schemaKey(kSchemaKey, sizeof kSchemaKey - 1);
    if (txn.get(Table::META, schemaKey, stored)) {
      if (stored.size() != 4) throw StoreError("the store's schema version is unreadable: restore it from a backup");
      schemaVersion_ = static_cast<uint32_t>(decodeKey(std::array<uint8_t, 8>{0, 0, 0, 0, stored[0], stored[1],
                                                                              stored[2], stored[3]}));
    } else if (txn.entries(Table::CUSTOMERS) == 0 && txn.entries(Table::PEERS) == 0) {
      schemaVersion_ = kSchemaVersion;
      auto encoded = encodeKey(kSchemaVersion);
      txn.put(Table::META, schemaKey, Bytes(encoded.data() + 4, 4));
    } else {
      throw StoreError("the store at " + dir.string() + " has data but no schema version: restore it from a backup");
    }
    if (schemaVersion_ != kSchemaVersion) {
      throw StoreError("the store at " + dir.string() + " has schema version " + std::to_string(schemaVersion_) +
                       " but this entente reads version " + std::to_string(kSchemaVersion) +
                       "; run the entente release that wrote it");
    }
    txn.commit();
  } catch (...) {
    mdb_env_close(env_);
    env_ = nullptr;
    throw;
  }
}

Environment::~Environment() {
  if (env_ != nullptr) mdb_env_close(env_);
}

namespace {
const uint8_t kCompactionKey[] = "compaction_pending";
}

uint64_t Environment::fileBytes() const {
  std::error_code ec;
  auto size = std::filesystem::file_size(dir_ / "data.mdb", ec);
  return ec ? 0 : size;
}

void Environment::markCompactionPending(Transaction& txn) {
  const uint8_t yes = 1;
  txn.put(Table::META, Bytes(kCompactionKey, sizeof kCompactionKey - 1), Bytes(&yes, 1));
}

// Not mdb_env_copy2(MDB_CP_COMPACT): that copies each page whole, and a page keeps in
// its free space the bytes of entries deleted from it, an erased customer's among
// them. A fresh store holds only what is put in it: every live entry, table by table
// in key order (appended, so its pages are full).
int Environment::copyLiveEntries(const std::filesystem::path& scratch) const {
  constexpr uint64_t kEntriesPerCommit = 100000;  // keeps each write transaction's dirty pages bounded
  MDB_env* to = nullptr;
  int rc = mdb_env_create(&to);
  if (rc != MDB_SUCCESS) return rc;
  MDB_txn* from = nullptr;
  MDB_txn* into = nullptr;
  MDB_cursor* cursor = nullptr;
  auto finish = [&](int result) {
    if (cursor != nullptr) mdb_cursor_close(cursor);
    if (into != nullptr) mdb_txn_abort(into);
    if (from != nullptr) mdb_txn_abort(from);
    mdb_env_close(to);
    return result;
  };
  if ((rc = mdb_env_set_maxdbs(to, static_cast<MDB_dbi>(Table::COUNT_))) != MDB_SUCCESS ||
      (rc = mdb_env_set_mapsize(to, kMapSize)) != MDB_SUCCESS ||
      (rc = mdb_env_open(to, scratch.c_str(), MDB_NOTLS, 0600)) != MDB_SUCCESS ||
      (rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &from)) != MDB_SUCCESS ||
      (rc = mdb_txn_begin(to, nullptr, 0, &into)) != MDB_SUCCESS) {
    return finish(rc);
  }
  uint64_t pending = 0;
  for (unsigned i = 0; i < static_cast<unsigned>(Table::COUNT_); ++i) {
    MDB_dbi target;
    if ((rc = mdb_dbi_open(into, kTableNames[i], MDB_CREATE | tableFlags(i), &target)) != MDB_SUCCESS ||
        (rc = mdb_cursor_open(from, dbis_[i], &cursor)) != MDB_SUCCESS) {
      return finish(rc);
    }
    unsigned append = (tableFlags(i) & MDB_DUPSORT) ? MDB_APPENDDUP : MDB_APPEND;
    MDB_val k{}, v{};
    for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      if ((rc = mdb_put(into, target, &k, &v, append)) != MDB_SUCCESS) return finish(rc);
      if (++pending == kEntriesPerCommit) {
        pending = 0;
        rc = mdb_txn_commit(into);
        into = nullptr;
        if (rc != MDB_SUCCESS || (rc = mdb_txn_begin(to, nullptr, 0, &into)) != MDB_SUCCESS) return finish(rc);
      }
    }
    mdb_cursor_close(cursor);
    cursor = nullptr;
    if (rc != MDB_NOTFOUND) return finish(rc);
  }
  rc = mdb_txn_commit(into);
  into = nullptr;
  return finish(rc);
}

bool Environment::compactIfPending() {
  {
    Transaction txn(*this, Transaction::Mode::READ);
    Bytes value;
    if (!txn.get(Table::META, Bytes(kCompactionKey, sizeof kCompactionKey - 1), value)) return false;
  }
  compact();
  return true;
}

void Environment::compact() {
  if (openTransactions_ != 0) {
    throw StoreError("the store is being read (a match session is running); the data is deleted, and its space "
                     "will be scrubbed at the next erasure or node start: retry when the session ends");
  }
  // The pending flag stays set until the compacted file is in place, so that a crash
  // anywhere in between leaves the work to the next start.
  auto scratch = dir_ / "compacting";
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  std::filesystem::create_directories(scratch, ec);
  if (ec) throw StoreError("cannot create " + scratch.string() + ": " + ec.message());
  int rc = copyLiveEntries(scratch);
  if (rc != MDB_SUCCESS) {
    std::filesystem::remove_all(scratch, ec);
    if (rc == ENOSPC || rc == EIO) {
      // The copy needs room for the whole live store: say so, not "nothing was stored".
      throw StoreError("cannot rewrite the store without the erased data: the disk holding " + dir_.string() +
                       (rc == ENOSPC || diskIsFull() ? " has no room for a copy of the store"
                                                     : " reported an input/output error") +
                       "; free space, then start the node again or erase another customer to finish it");
    }
    fail(rc, "cannot compact the store (erased data may remain in free pages until the next start)");
  }
  // Swap the files with no transaction open: close, rename over, reopen.
  mdb_env_close(env_);
  env_ = nullptr;
  // The copy is made with the process's default mode; the store stays private.
  std::filesystem::permissions(scratch / "data.mdb",
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  std::filesystem::rename(scratch / "data.mdb", dir_ / "data.mdb", ec);
  std::filesystem::remove_all(scratch);
  if (ec) throw StoreError("cannot replace the store with its compacted copy: " + ec.message());
  open(false);
  Transaction txn(*this, Transaction::Mode::WRITE);
  txn.erase(Table::META, Bytes(kCompactionKey, sizeof kCompactionKey - 1));
  txn.commit();
}

uint64_t Environment::bytesInUse() const {
  MDB_envinfo info;
  MDB_stat stat;
  mdb_env_info(env_, &info);
  mdb_env_stat(env_, &stat);
  return static_cast<uint64_t>(info.me_last_pgno + 1) * stat.ms_psize;
}

uint64_t Environment::lastTransaction() const {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  return info.me_last_txnid;
}

bool Environment::diskIsFull() const {
  struct statvfs fs;
  if (::statvfs(dir_.c_str(), &fs) != 0) return false;
  // Less than a few pages left counts as full: a commit writes several at once.
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < 1024 * 1024;
}

Transaction::Transaction(Environment& env, Mode mode) : env_(&env), mode_(mode) {
  check(mdb_txn_begin(env.env_, nullptr, mode == Mode::READ ? MDB_RDONLY : 0, &txn_),
        "cannot begin a store transaction");
  ++env.openTransactions_;
}

Transaction::Transaction(Transaction&& other) noexcept
    : env_(other.env_), txn_(other.txn_), mode_(other.mode_), termMemo_(std::move(other.termMemo_)) {
  other.txn_ = nullptr;
}

Transaction::~Transaction() {
  if (txn_ != nullptr) {
    mdb_txn_abort(txn_);
    --env_->openTransactions_;
  }
}

Transaction::Transaction(Transaction& parent) : env_(parent.env_), mode_(Mode::WRITE) {
  if (parent.mode_ != Mode::WRITE) throw StoreError("a nested transaction needs a write transaction as its parent");
  check(mdb_txn_begin(env_->env_, parent.txn_, 0, &txn_), "cannot begin a nested store transaction");
  ++env_->openTransactions_;
}

void Transaction::commit() {
  MDB_txn* txn = txn_;
  txn_ = nullptr;  // mdb_txn_commit frees the handle even when it fails
  --env_->openTransactions_;
  int rc = mdb_txn_commit(txn);
  if ((rc == EIO || rc == ENOSPC) && env_->diskIsFull()) {
    // A full tmpfs or a file system without room for the new pages can answer EIO
    // rather than ENOSPC: say what the operator can act on.
    throw StoreError("cannot commit to the store: the disk holding " + env_->dir().string() +
                     " is full; free space and retry: nothing of this change was stored");
  }
  if (rc == EIO) {
    throw StoreError("cannot commit to the store: the disk reported an input/output error; check the disk "
                     "holding " + env_->dir().string() + " (the kernel log says more): nothing of this change was "
                     "stored");
  }
  check(rc, "cannot commit to the store");
}

bool Transaction::get(Table table, Bytes key, Bytes& value) const {
  MDB_val k = valOf(key), v;
  int rc = mdb_get(txn_, env_->dbi(table), &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cannot read from the store");
  value = bytesOfVal(v);
  return true;
}

void Transaction::put(Table table, Bytes key, Bytes value) {
  MDB_val k = valOf(key), v = valOf(value);
  check(mdb_put(txn_, env_->dbi(table), &k, &v, 0), "cannot write to the store");
}

void Transaction::append(Table table, Bytes key, Bytes value, bool sameKey) {
  MDB_val k = valOf(key), v = valOf(value);
  check(mdb_put(txn_, env_->dbi(table), &k, &v, sameKey ? MDB_APPENDDUP : MDB_APPEND), "cannot append to the store");
}

bool Transaction::erase(Table table, Bytes key) {
  MDB_val k = valOf(key);
  int rc = mdb_del(txn_, env_->dbi(table), &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cannot delete from the store");
  return true;
}

bool Transaction::eraseDuplicate(Table table, Bytes key, Bytes value) {
  MDB_val k = valOf(key), v = valOf(value);
  int rc = mdb_del(txn_, env_->dbi(table), &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cannot delete from the store");
  return true;
}

size_t Transaction::duplicateCount(Table table, Bytes key) const {
  Cursor cursor(*this, table);
  if (!cursor.firstDuplicateOf(key)) return 0;
  size_t count = 0;
  check(mdb_cursor_count(cursor.cursor_, &count), "cannot count duplicates");
  return count;
}

uint64_t Transaction::entries(Table table) const {
  MDB_stat stat;
  check(mdb_stat(txn_, env_->dbi(table), &stat), "cannot read table statistics");
  return stat.ms_entries;
}

Cursor::Cursor(const Transaction& txn, Table table) {
  check(mdb_cursor_open(txn.txn_, txn.env_->dbi(table), &cursor_), "cannot open a store cursor");
}

Cursor::~Cursor() { mdb_cursor_close(cursor_); }

bool Cursor::move(int op, Bytes* wantKey) {
  MDB_val k{}, v{};
  if (wantKey != nullptr) k = valOf(*wantKey);
  int rc = mdb_cursor_get(cursor_, &k, &v, static_cast<MDB_cursor_op>(op));
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "cannot read the store");
  key_ = bytesOfVal(k);
  value_ = bytesOfVal(v);
  return true;
}

bool Cursor::first() { return move(MDB_FIRST, nullptr); }
bool Cursor::last() { return move(MDB_LAST, nullptr); }
bool Cursor::seek(Bytes key) { return move(MDB_SET_RANGE, &key); }
bool Cursor::next() { return move(MDB_NEXT, nullptr); }
bool Cursor::firstDuplicateOf(Bytes key) { return move(MDB_SET_KEY, &key); }
bool Cursor::nextDuplicate() { return move(MDB_NEXT_DUP, nullptr); }

}  // namespace entente::storage
