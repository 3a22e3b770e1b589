#include "node/control/import-session.h"

#include "node/consent/consent-service.h"
#include "node/import/customer-import.h"
#include "node/import/history-import.h"
#include "node/import/identifier-index.h"
#include "node/import/import-columns.h"
#include "storage/customer-store.h"

#include <algorithm>
#include <ctime>
#include <optional>

namespace entente::node {
namespace control = protocol::control;
namespace {

// The first customer_ids a full import found missing, shown in its summary.
constexpr size_t kMissingSample = 20;

void setCounts(control::ImportCounts::Builder out, const ImportTotals& totals) {
  out.setInserted(totals.inserted);
  out.setUpdated(totals.updated);
  out.setUnchanged(totals.unchanged);
  out.setRejected(totals.rejected);
  out.setSharedIdentifiers(totals.sharedIdentifiers);
  out.setConsentChanges(totals.consentChanges);
}

Details countDetails(const std::string& source, const ImportTotals& t) {
  return {{"source", source},
          {"inserted", std::to_string(t.inserted)},
          {"updated", std::to_string(t.updated)},
          {"unchanged", std::to_string(t.unchanged)},
          {"rejected", std::to_string(t.rejected)}};
}

ImportRules rulesOf(control::ImportOptions::Reader options, const std::string& actor = {}) {
  ImportRules rules;
  rules.actor = actor;
  for (auto format : options.getDateFormats()) rules.dateFormats[format.getName()] = format.getValue();
  rules.strict = options.getStrict();
  rules.mapping = options.getMapping();
  return rules;
}

enum class Kind { CUSTOMERS, CONSENT, HISTORY };

std::string actionOf(Kind kind, bool dryRun) {
  std::string action = kind == Kind::HISTORY ? "history.import" : kind == Kind::CONSENT ? "consent.import" : "import";
  return dryRun ? action + ".dry-run" : action;
}

class ImportSession final : public control::CustomerImport::Server {
 public:
  ImportSession(NodeContext& context, std::string actor, std::string source, Kind kind,
                control::ImportOptions::Reader options)
      : context_(context),
        actor_(std::move(actor)),
        source_(std::move(source)),
        action_(actionOf(kind, options.getDryRun())),
        dryRun_(options.getDryRun()),
        full_(options.getFull()),
        removeMissing_(options.getRemoveMissing()),
        import_(context.store, context.config, (kind == Kind::CONSENT ? "consent-import " : "import ") + source_,
                kind == Kind::CONSENT, rulesOf(options, actor_)) {
    if (kind == Kind::CUSTOMERS && !dryRun_) import_.putOffIndexing();
    if (kind == Kind::HISTORY) {
      auto rules = rulesOf(options);
      auto format = rules.dateFormats.find("date");
      history_.emplace(context.store, "history import " + source_, static_cast<int64_t>(std::time(nullptr)),
                       format == rules.dateFormats.end() ? std::string() : format->second);
    }
  }

  ~ImportSession() noexcept {
    if (finished_) return;
    context_.gate.recordNoThrow(action_, actor_, "interrupted", countDetails(source_, totals_));
    try {
      catchUpIdentifierIndex(context_.gate, context_.store, actor_, "interrupted import " + source_);
    } catch (...) {
      // The gate recorded the failure; the next import or start-up tries again.
    }
  }

  // File-level problems, said once: an unknown purpose fails the call.
  void checkHeader(capnp::List<capnp::Text>::Reader columns, Kind kind, control::HeaderCheck::Builder out) {
    if (kind == Kind::HISTORY) {
      std::string missing;
      for (const char* required : {"customer_id", "event_id", "date", "type"}) {
        bool found = false;
        for (auto column : columns) found = found || column == required;
        if (!found) missing += (missing.empty() ? "" : ", ") + std::string(required);
      }
      if (!missing.empty()) {
        failWith("a history file needs the columns customer_id, event_id, date and type; this one has no " + missing +
                 " (name yours with --map 'YOUR COLUMN=" + missing.substr(0, missing.find(',')) + "')");
      }
      return;
    }
    bool consentOnly = kind == Kind::CONSENT;
    std::vector<std::string> notes, special;
    bool consent = false, identifier = false;
    for (auto column : columns) {
      std::string name = column;
      if (isConsentColumn(name)) {
        std::string purpose = name.substr(std::string_view("consent_").size());
        bool common = purpose == "source" || purpose == "date" || purpose == "basis" || purpose == "notice_version" ||
                      purpose == "expires";
        if (!common && !context_.config.knowsPurpose(purpose)) {
          failWith("column " + name + " names an unknown purpose; known purposes: " +
                   context_.config.purposeNames() +
                   "; map the file's column to one of them (--map 'COLUMN=consent_PURPOSE') or add the purpose to "
                   "node.toml");
        }
        consent = consent || !common;
      } else if (name == "email" || name == "phone" || name == "birth_date") {
        identifier = true;
      } else if (!isCanonicalColumn(name)) {
        auto category = import_.specialCategoryOf(name);
        if (!category.empty()) special.push_back(name + " (" + category + ")");
      }
    }
    if (!consentOnly && !consent) {
      notes.push_back(
          "the file has no consent column: its customers are stored, but a customer is matched only for a "
          "purpose it consented to; record consent with a consent_PURPOSE column (--map 'COLUMN=consent_PURPOSE'), "
          "`entente consent import FILE` or `entente consent set`");
    }
    if (!consentOnly && !identifier) {
      notes.push_back("the file has no email, phone or birth_date column: its customers have nothing to match on");
    }
    if (!special.empty()) {
      std::string list;
      for (auto& s : special) list += (list.empty() ? "" : ", ") + s;
      notes.push_back("special-category data (GDPR Art. 9) in " + list +
                      ": stored marked as such, shown to your own users, never offered to a partner; "
                      "list a column under ordinary_attributes in node.toml if it is not");
    }
    auto notesOut = out.initNotes(static_cast<unsigned>(notes.size()));
    for (unsigned i = 0; i < notes.size(); ++i) notesOut.set(i, notes[i]);
    auto specialOut = out.initSpecialColumns(static_cast<unsigned>(special.size()));
    for (unsigned i = 0; i < special.size(); ++i) specialOut.set(i, special[i]);
  }

 protected:
  kj::Promise<void> rows(RowsContext context) override {
    std::vector<RowRejection> rejections;
    std::vector<RowWarning> warnings;
    auto rows = context.getParams().getRows();
    auto batch = userFacing([&] {
      if (dryRun_) {
        // Everything an import does, in a transaction that is never committed.
        storage::Transaction txn(context_.store, storage::Transaction::Mode::WRITE);
        return store(txn, rows, rejections, warnings);
      }
      return context_.gate.change(action_ + ".batch", actor_, {{"source", source_}},
                                  [&](storage::Transaction& txn, Details& d) {
                                    auto counts = store(txn, rows, rejections, warnings);
                                    auto more = countDetails(source_, counts);
                                    d.insert(d.end(), more.begin() + 1, more.end());
                                    d.emplace_back("consent_changes", std::to_string(counts.consentChanges));
                                    d.emplace_back("fields_dropped", std::to_string(warnings.size()));
                                    return counts;
                                  });
    });
    totals_.add(batch);
    auto outcome = context.getResults().initOutcome();
    setCounts(outcome.initCounts(), batch);
    auto list = outcome.initRejections(static_cast<unsigned>(rejections.size()));
    for (unsigned i = 0; i < rejections.size(); ++i) {
      list[i].setLine(rejections[i].line);
      list[i].setReason(rejections[i].reason);
    }
    auto warned = outcome.initWarnings(static_cast<unsigned>(warnings.size()));
    for (unsigned i = 0; i < warnings.size(); ++i) {
      warned[i].setLine(warnings[i].line);
      warned[i].setColumn(warnings[i].column);
      warned[i].setReason(warnings[i].reason);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> finish(FinishContext context) override {
    uint64_t clientRejected = context.getParams().getClientRejected();
    totals_.rejected += clientRejected;
    totals_.sharedIdentifiers +=
        userFacing([&] { return catchUpIdentifierIndex(context_.gate, context_.store, actor_, "import " + source_); });
    auto report = context.getResults().initReport();
    report.setDryRun(dryRun_);
    fillFindings(report);
    auto details = countDetails(source_, totals_);
    details.emplace_back("shared_identifiers", std::to_string(totals_.sharedIdentifiers));
    details.emplace_back("consent_changes", std::to_string(totals_.consentChanges));
    if (full_) {
      auto missing = missingCustomers();
      report.setMissing(missing.size());
      auto sample = report.initMissingSample(static_cast<unsigned>(std::min(missing.size(), kMissingSample)));
      for (unsigned i = 0; i < sample.size(); ++i) sample.set(i, missing[i]);
      details.emplace_back("missing", std::to_string(missing.size()));
      if (removeMissing_ && !missing.empty()) {
        if (dryRun_) {
          report.setRemovalRefused("a dry run erases nothing");
        } else if (totals_.rejected > 0) {
          // A rejected row's customer would count as missing and be erased.
          report.setRemovalRefused(std::to_string(totals_.rejected) +
                                   " rows were rejected, and their customers may be among the missing; fix them "
                                   "and run the import again");
        } else {
          uint64_t removed = userFacing(
              [&] { return eraseCustomers(context_, actor_, missing, "not in full import " + source_); });
          report.setRemoved(removed);
          details.emplace_back("removed", std::to_string(removed));
        }
      }
    }
    userFacing([&] { context_.gate.record(action_, actor_, "ok", details); });
    finished_ = true;
    setCounts(context.getResults().initTotal(), totals_);
    return kj::READY_NOW;
  }

 private:
  ImportTotals store(storage::Transaction& txn, capnp::List<control::ImportRow>::Reader rows,
                     std::vector<RowRejection>& rejections, std::vector<RowWarning>& warnings) {
    if (history_) return history_->storeBatch(txn, rows, rejections);
    return import_.storeBatch(txn, rows, rejections, warnings);
  }

  void fillFindings(control::ImportReport::Builder report) {
    auto& findings = import_.findings();
    auto& changes = findings.fieldChanges.counts();
    auto tallies = report.initFieldChanges(static_cast<unsigned>(changes.size()));
    unsigned i = 0;
    for (auto& [field, c] : changes) {
      tallies[i].setField(field);
      tallies[i].setChanged(c.changed);
      tallies[i].setAdded(c.added);
      tallies[i].setRemoved(c.removed);
      ++i;
    }
    auto dropped = report.initDropped(static_cast<unsigned>(findings.dropped.size()));
    i = 0;
    for (auto& [what, count] : findings.dropped) {
      dropped[i].setColumn(what.first);
      dropped[i].setReason(what.second);
      dropped[i].setCount(count);
      ++i;
    }
    report.setRepeatedIds(findings.repeatedIds);
    report.setNoIdentifier(findings.noIdentifier);
    report.setFirstNoIdentifierLine(findings.firstNoIdentifierLine);
    auto suspects = report.initSuspectColumns(static_cast<unsigned>(findings.suspectColumns.size()));
    i = 0;
    for (auto& [column, what] : findings.suspectColumns) suspects.set(i++, column + ": " + what);
  }

  // The stored customers whose customer_id no row of this import named.
  std::vector<std::string> missingCustomers() {
    std::vector<std::string> missing;
    storage::Transaction txn(context_.store, storage::Transaction::Mode::READ);
    storage::CustomerStore::forEach(txn, [&](uint64_t, storage::schema::Customer::Reader customer) {
      std::string_view id(customer.getCustomerId().begin(), customer.getCustomerId().size());
      if (!import_.named(id)) missing.emplace_back(id);
    });
    return missing;
  }

  NodeContext& context_;
  std::string actor_;
  std::string source_;
  std::string action_;
  bool dryRun_, full_, removeMissing_;
  CustomerImport import_;
  std::optional<HistoryImport> history_;  // a history import stores events, not customers
  ImportTotals totals_;
  bool finished_ = false;
};

template <typename Call>
void begin(NodeContext& context, const std::string& actor, Call& call, Kind kind) {
  auto params = call.getParams();
  std::string source = params.getSource();
  auto options = params.getOptions();
  auto session = kj::heap<ImportSession>(context, actor, source, kind, options);
  session->checkHeader(options.getColumns(), kind, call.getResults().initHeader());
  context.gate.record(actionOf(kind, options.getDryRun()), actor, "started", {{"source", source}});
  call.getResults().setImport(kj::mv(session));
}

}  // namespace

void beginImport(NodeContext& context, const std::string& actor, BeginImportCall call) {
  begin(context, actor, call, call.getParams().getConsentOnly() ? Kind::CONSENT : Kind::CUSTOMERS);
}

void beginHistoryImport(NodeContext& context, const std::string& actor, BeginHistoryImportCall call) {
  begin(context, actor, call, Kind::HISTORY);
}

}  // namespace entente::node
