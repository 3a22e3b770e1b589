#include "node/control/import-session.h"

#include "node/import/customer-import.h"

namespace entente::node {
namespace control = protocol::control;
namespace {

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

class ImportSession final : public control::CustomerImport::Server {
 public:
  ImportSession(NodeContext& context, std::string actor, std::string source, bool consentOnly)
      : context_(context),
        actor_(std::move(actor)),
        source_(std::move(source)),
        action_(consentOnly ? "consent.import" : "import"),
        import_(context.store, context.config, (consentOnly ? "consent-import " : "import ") + source_, consentOnly) {}

  ~ImportSession() noexcept {
    if (!finished_) context_.gate.recordNoThrow(action_, actor_, "interrupted", countDetails(source_, totals_));
  }

 protected:
  kj::Promise<void> rows(RowsContext context) override {
    std::vector<RowRejection> rejections;
    auto batch = userFacing([&] {
      return context_.gate.change(action_ + ".batch", actor_, {{"source", source_}},
                                  [&](storage::Transaction& txn, Details& d) {
                                    auto counts = import_.storeBatch(txn, context.getParams().getRows(), rejections);
                                    auto more = countDetails(source_, counts);
                                    d.insert(d.end(), more.begin() + 1, more.end());
                                    d.emplace_back("consent_changes", std::to_string(counts.consentChanges));
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
    return kj::READY_NOW;
  }

  kj::Promise<void> finish(FinishContext context) override {
    totals_.rejected += context.getParams().getClientRejected();
    auto details = countDetails(source_, totals_);
    details.emplace_back("shared_identifiers", std::to_string(totals_.sharedIdentifiers));
    details.emplace_back("consent_changes", std::to_string(totals_.consentChanges));
    userFacing([&] { context_.gate.record(action_, actor_, "ok", details); });
    finished_ = true;
    setCounts(context.getResults().initTotal(), totals_);
    return kj::READY_NOW;
  }

 private:
  NodeContext& context_;
  std::string actor_;
  std::string source_;
  std::string action_;
  CustomerImport import_;
  ImportTotals totals_;
  bool finished_ = false;
};

}  // namespace

kj::Own<control::CustomerImport::Server> makeImportSession(NodeContext& context, std::string actor, std::string source,
                                                            bool consentOnly) {
  return kj::heap<ImportSession>(context, std::move(actor), std::move(source), consentOnly);
}

}  // namespace entente::node
