#include "node/import/customer-import.h"

#include "storage/customer-sources.h"

#include "crypto/batch-pool.h"
#include "crypto/hash.h"
#include "node/import/import-columns.h"
#include "storage/consent-store.h"
#include "storage/customer-store.h"

#include <capnp/message.h>

#include <algorithm>
#include <ctime>
#include <optional>

namespace entente::node {
namespace {

// Values of the first rows are searched for special-category words: enough to see a
// "notes" column full of diagnoses, without a word search on every row of a large file.
constexpr uint64_t kRowsSearchedForSpecialValues = 10000;

// Each part with its length first, so that no two different rows hash alike.
void appendPart(std::string& out, std::string_view part) {
  uint32_t size = static_cast<uint32_t>(part.size());
  out.append(reinterpret_cast<const char*>(&size), sizeof size);
  out.append(part);
}

}  // namespace

CustomerImport::CustomerImport(storage::Environment& env, const NodeConfig& config, std::string source,
                               bool consentOnly, ImportRules rules)
    : env_(env),
      config_(config),
      source_(std::move(source)),
      consentOnly_(consentOnly),
      rules_(std::move(rules)),
      normaliser_(config.region),
      categories_(config, normaliser_) {
  // Bump the version when normalising or storing a row changes, so that a newer node
  // reads every row again once.
  std::string context;
  appendPart(context, "entente import row digest v1");
  appendPart(context, config.region);
  appendPart(context, rules_.strict ? "strict" : "lenient");
  for (auto& [column, format] : rules_.dateFormats) {
    appendPart(context, column);
    appendPart(context, format);
  }
  appendPart(context, config.purposeNames());
  for (auto& column : config.specialCategoryAttributes) appendPart(context, column);
  digestPrefix_.update(context);
}

storage::RowDigest CustomerImport::digestOf(protocol::control::ImportRow::Reader row) const {
  // The row's parts, each after its size, gathered and hashed in one update: an
  // update per part cost more than the hashing. (Called on the workers too: one
  // buffer per thread.)
  thread_local std::string parts;
  parts.clear();
  auto append = [](capnp::Text::Reader part) {
    uint32_t size = static_cast<uint32_t>(part.size());
    parts.append(reinterpret_cast<const char*>(&size), sizeof size);
    parts.append(part.cStr(), part.size());
  };
  for (auto field : row.getFields()) {
    append(field.getName());
    append(field.getValue());
  }
  auto hash = digestPrefix_;  // the settings, hashed once
  hash.update(parts);
  auto full = hash.finish();
  storage::RowDigest digest;
  std::copy_n(full.begin(), digest.size(), digest.begin());
  return digest;
}

bool CustomerImport::named(std::string_view customerId) const {
  return seen_.count(std::hash<std::string_view>()(customerId)) != 0;
}

ImportTotals CustomerImport::storeBatch(capnp::List<protocol::control::ImportRow>::Reader rows,
                                        std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings) {
  storage::Transaction txn(env_, storage::Transaction::Mode::WRITE);
  auto totals = storeBatch(txn, rows, rejections, warnings);
  txn.commit();
  return totals;
}

void CustomerImport::lookForSpecialValues(const CheckedRow& row, uint64_t line) {
  if (++rowsScanned_ > kRowsSearchedForSpecialValues) return;
  for (auto& [column, value] : row.attributes) {
    if (value.empty() || findings_.suspectColumns.count(column)) continue;
    if (!categories_.categoryOfColumn(column).empty()) continue;
    auto category = categories_.categoryOfValue(value);
    if (!category.empty()) {
      findings_.suspectColumns[column] = category + " (first at line " + std::to_string(line) + ")";
    }
  }
}

std::optional<std::string> CustomerImport::prepare(const storage::Transaction& txn,
                                                   protocol::control::ImportRow::Reader row, PreparedRow& p) {
  // An unchanged row of a daily re-import costs a lookup and a hash: it is found by
  // its customer_id and digest before anything is copied out of it. (A digest equal
  // to the stored one means the very bytes that were stored cleanly, so none of
  // checkRow's checks can fail.) The first rows still take the long way, for the
  // search for special-category values.
  if (!consentOnly_ && rowsScanned_ >= kRowsSearchedForSpecialValues) {
    std::string_view id = customerIdIn(row);
    auto key = id.empty() ? std::nullopt : storage::CustomerStore::keyOf(txn, id);
    if (key) {
      p.digest = digestOf(row);
      if (storage::RowDigests::find(txn, *key) == p.digest &&
          seen_.emplace(std::hash<std::string_view>()(id), row.getLine()).second) {
        p.unchanged = true;
        return std::nullopt;
      }
    }
  }
  std::string_view id;
  if (auto why = checkRow(row, consentOnly_, id)) return why;
  auto [first, isNew] = seen_.emplace(std::hash<std::string_view>()(id), row.getLine());
  if (!isNew) {
    ++findings_.repeatedIds;
    return "customer_id repeats the row on line " + std::to_string(first->second) +
           "; each customer once per file (the first row was imported)";
  }
  auto key = storage::CustomerStore::keyOf(txn, id);
  if (consentOnly_ && !key) return "no customer with this customer_id; import the customer first";
  p.normalise = true;
  if (!key) {
    // A new customer: nothing of the store to read, so that copying the row and its
    // digest wait for normalise(), on all cores.
    p.copyLater = true;
    return std::nullopt;
  }
  auto& checked = p.checked;
  copyRow(row, consentOnly_, checked);
  if (!consentOnly_) {
    p.digest = digestOf(row);
    if (storage::RowDigests::find(txn, *key) == p.digest) {
      // Stored from these very bytes, and untouched since: only the search for
      // special-category values still reads it, as it reads every early row.
      if (rowsScanned_ < kRowsSearchedForSpecialValues) {
        keepAbsentFields(storage::CustomerStore::read(txn, *key).get(), checked);
      }
      p.unchanged = true;
      p.searched = true;
      p.normalise = false;
      return std::nullopt;
    }
    keepAbsentFields(storage::CustomerStore::read(txn, *key).get(), checked);
  }
  return std::nullopt;
}

std::optional<std::string> CustomerImport::normalise(const text::IdentifierNormaliser& normaliser,
                                                     protocol::control::ImportRow::Reader row, PreparedRow& p,
                                                     int64_t now) const {
  if (p.copyLater) {
    copyRow(row, consentOnly_, p.checked);
    if (!consentOnly_) p.digest = digestOf(row);
  }
  if (!consentOnly_) {
    if (auto why = normaliseRow(normaliser, rules_, p.checked)) return why;
    p.searched = true;
  }
  return readConsentColumns(p.checked.consent, config_, source_ + ":" + std::to_string(p.line), now,
                            rules_.dateFormats, p.consent);
}

std::unique_ptr<text::IdentifierNormaliser> CustomerImport::takeNormaliser() {
  {
    std::lock_guard lock(spareMutex_);
    if (!spareNormalisers_.empty()) {
      auto normaliser = std::move(spareNormalisers_.back());
      spareNormalisers_.pop_back();
      return normaliser;
    }
  }
  return std::make_unique<text::IdentifierNormaliser>(config_.region);
}

void CustomerImport::giveBack(std::unique_ptr<text::IdentifierNormaliser> normaliser) {
  std::lock_guard lock(spareMutex_);
  spareNormalisers_.push_back(std::move(normaliser));
}

ImportTotals CustomerImport::storeBatch(storage::Transaction& txn,
                                        capnp::List<protocol::control::ImportRow>::Reader rows,
                                        std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings) {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::vector<PreparedRow> prepared(rows.size());
  // Room for the batch's ids, grown by doubling: reserving just what the batch needs
  // rehashed the whole table at every batch (a sixth of a 10^5 re-import's time).
  size_t needed = seen_.size() + rows.size();
  if (static_cast<double>(needed) > static_cast<double>(seen_.bucket_count()) * seen_.max_load_factor()) {
    seen_.reserve(std::max(needed, 2 * seen_.size()));
  }
  // First, in file order on this thread, what reads the store (an LMDB write
  // transaction belongs to its thread) or the file-wide state (repeated ids).
  for (unsigned i = 0; i < rows.size(); ++i) {
    prepared[i].line = rows[i].getLine();
    prepared[i].why = prepare(txn, rows[i], prepared[i]);
  }
  // Then normalising, the costly part, on all cores, and the writes, in file order on
  // this thread, at once: each slice of rows is written as soon as it and those
  // before it are normalised, so that the writes overlap the normalising. Each
  // thread normalises with its own normaliser (ICU transliterators are not to be
  // shared) and reads only what prepare() copied out, never the message or the store.
  // All rows are written in one transaction nested in the batch's (a nested
  // transaction costs LMDB a list of dirty pages, too much to pay per row). If the
  // store refuses a row, that attempt is undone and the rows are written again each
  // in a transaction of its own, so that only that row is rejected, with its line.
  auto normaliseSlice = [&](size_t begin, size_t end) {
    auto normaliser = takeNormaliser();
    for (size_t i = begin; i < end; ++i) {
      auto& p = prepared[i];
      if (!p.why && p.normalise) p.why = normalise(*normaliser, rows[i], p, now);
    }
    giveBack(std::move(normaliser));
  };
  auto savedFindings = findings_;
  auto savedScanned = rowsScanned_, savedSkipped = skippedByDigest_;
  auto savedEvents = consentEvents_.size(), savedRejections = rejections.size(), savedWarnings = warnings.size();
  try {
    storage::Transaction batchTxn(txn);
    ImportTotals totals;
    crypto::parallelForInOrder(rows.size(), normaliseSlice, [&](size_t begin, size_t end) {
      totals.add(storeRows(batchTxn, rows, prepared, begin, end, rejections, warnings, now, false));
    });
    batchTxn.commit();
    return totals;
  } catch (const storage::StoreError&) {
    if (env_.diskIsFull()) throw;
  }
  findings_ = std::move(savedFindings);
  rowsScanned_ = savedScanned;
  skippedByDigest_ = savedSkipped;
  consentEvents_.resize(savedEvents);
  rejections.resize(savedRejections);
  warnings.resize(savedWarnings);
  return storeRows(txn, rows, prepared, 0, rows.size(), rejections, warnings, now, true);
}

ImportTotals CustomerImport::storeRows(storage::Transaction& txn,
                                       capnp::List<protocol::control::ImportRow>::Reader rows,
                                       const std::vector<PreparedRow>& prepared, size_t begin, size_t end,
                                       std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings,
                                       int64_t now, bool rowByRow) {
  ImportTotals totals;
  for (auto i = static_cast<unsigned>(begin); i < end; ++i) {
    auto row = rows[i];
    auto& p = prepared[i];
    auto& checked = p.checked;
    auto& consent = p.consent;
    if (p.searched) lookForSpecialValues(checked, row.getLine());
    if (p.why) {
      rejections.push_back({row.getLine(), *p.why});
      ++totals.rejected;
      continue;
    }
    if (p.unchanged) {
      ++totals.unchanged;
      ++skippedByDigest_;
      continue;
    }
    auto& digest = p.digest;
    // Row by row, each row in a transaction nested in the batch's: a row the store
    // refuses at write time is rejected alone, with its line, and the rest commits.
    ImportTotals counted;
    std::vector<ConsentEvent> events;
    FieldChanges changes;
    std::optional<uint64_t> key;
    try {
      std::optional<storage::Transaction> nested;
      if (rowByRow) nested.emplace(txn);
      storage::Transaction& rowTxn = rowByRow ? *nested : txn;
      if (!consentOnly_) {
        // One first segment the size of a customer (1 KiB) for every row, not capnp's
        // default of 8 KiB allocated and zeroed per row (the builder zeroes what it
        // used when it goes; a larger customer spills into segments of its own).
        capnp::MallocMessageBuilder message(kj::arrayPtr(customerSegment_.data(), customerSegment_.size()));
        auto customer = message.initRoot<storage::schema::Customer>();
        buildCustomer(checked, categories_, customer);
        // Compared before the upsert: a record read in place is valid only until the
        // transaction writes.
        // (A row found new by prepare() stays new: a customer_id is once per file.)
        if (auto existing = p.copyLater ? std::nullopt : storage::CustomerStore::keyOf(rowTxn, checked.customerId)) {
          auto before = storage::CustomerStore::read(rowTxn, *existing);
          changes.compare(before.get(), customer.asReader());
        }
        auto result = storage::CustomerStore::upsert(rowTxn, customer.asReader(), indexTiming_);
        switch (result.outcome) {
          case storage::UpsertOutcome::INSERTED: ++counted.inserted; break;
          case storage::UpsertOutcome::UPDATED: ++counted.updated; break;
          case storage::UpsertOutcome::UNCHANGED: ++counted.unchanged; break;
        }
        counted.sharedIdentifiers += result.sharedIdentifiers;
        key = result.key;
        if (result.outcome != storage::UpsertOutcome::UNCHANGED) {
          storage::CustomerSources::note(rowTxn, *key, {source_, rules_.mapping, rules_.actor, now, now, row.getLine()});
        }
      } else {
        key = storage::CustomerStore::keyOf(rowTxn, checked.customerId);
        ++counted.updated;
      }
      std::vector<storage::ConsentStore::PurposeChange> purposeChanges;
      for (auto& update : consent) purposeChanges.push_back({update.purpose, &update.change});
      auto recorded = storage::ConsentStore::record(rowTxn, *key, purposeChanges);
      for (size_t u = 0; u < consent.size(); ++u) {
        if (!recorded[u]) continue;
        ++counted.consentChanges;
        events.push_back({*key, consent[u].purpose, consent[u].change.granted});
      }
      // A row that stored cleanly gets its digest; the store dropped any older one
      // if the record or its consent changed above.
      if (!consentOnly_ && checked.dropped.empty() && !checked.identifiers.empty() &&
          storage::RowDigests::find(rowTxn, *key) != digest) {
        storage::RowDigests::put(rowTxn, *key, digest);
      }
      if (rowByRow) nested->commit();
    } catch (const storage::StoreError& e) {
      // A full disk or a damaged store fails every row alike: that is the batch's
      // failure, not this row's. Written all at once, the batch is written again row
      // by row (storeBatch).
      if (!rowByRow || env_.diskIsFull()) throw;
      rejections.push_back({row.getLine(), std::string("could not be stored: ") + e.what()});
      ++totals.rejected;
      continue;
    }
    totals.add(counted);
    consentEvents_.insert(consentEvents_.end(), events.begin(), events.end());
    findings_.fieldChanges.add(changes);
    for (auto& drop : checked.dropped) {
      ++findings_.dropped[{drop.column, drop.reason}];
      warnings.push_back({row.getLine(), drop.column, drop.reason});
    }
    if (!consentOnly_ && checked.identifiers.empty()) {
      if (findings_.noIdentifier++ == 0) findings_.firstNoIdentifierLine = row.getLine();
    }
  }
  return totals;
}

}  // namespace entente::node
