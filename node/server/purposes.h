// The vocabulary of purposes: what a match may be for and what customers consent
// to. The defaults below apply unless node.toml lists its own:
//
//   [[purpose]]
//   name = "loyalty-programme"
//   description = "Recognising you as a member of a partner's loyalty programme."
//
// Reports print the descriptions, so they are written for the customer's eyes.
#pragma once

#include <string>
#include <vector>

namespace entente::node {

struct PurposeDefinition {
  std::string name;
  std::string description;
};

const std::vector<PurposeDefinition>& defaultPurposes();
// Names are 1-64 characters of [a-z0-9-].
bool isValidPurposeName(const std::string& name);

}  // namespace entente::node
