// The differential-privacy budget spent on each partner: per purpose and calendar
// month (UTC), the sum of the epsilons of the noisy queries this node ran against the
// partner, and how many there were. Node/match charges it in the commit that records
// the query; nothing is ever subtracted, so the month's sum only grows until the month
// turns and a new key starts at zero.
#pragma once

#include "storage/environment.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace entente::storage {

struct BudgetUse {
  std::string purpose;
  std::string month;  // YYYY-MM
  double spent = 0;
  uint32_t queries = 0;
};

class PrivacyBudget {
 public:
  static BudgetUse used(const Transaction& txn, std::string_view peer, std::string_view purpose,
                        std::string_view month);
  static void charge(Transaction& txn, std::string_view peer, std::string_view purpose, std::string_view month,
                     double epsilon);
  // Every purpose's use of one month.
  static std::vector<BudgetUse> month(const Transaction& txn, std::string_view peer, std::string_view month);
};

// "YYYY-MM" of a UTC time.
std::string utcMonth(int64_t unixTime);

}  // namespace entente::storage
