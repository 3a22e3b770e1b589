#include "node/server/node-config.h"

#include "crypto/private-file.h"

#include <toml++/toml.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

namespace entente::node {

bool NodeConfig::knowsPurpose(const std::string& name) const {
  for (auto& p : purposes) {
    if (p.name == name) return true;
  }
  return false;
}

std::string NodeConfig::purposeNames() const {
  std::string names;
  for (auto& p : purposes) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

bool isValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool isValidCredentialName(const std::string& name) {
  // systemd's own rule for credential names: a valid file name of at most 255 bytes.
  return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
         name.find_first_of(std::string("/\0", 2)) == std::string::npos;
}

bool isHostPort(const std::string& address, bool allowAnyPort) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
  std::string port = address.substr(colon + 1);
  if (port.size() > 5) return false;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  long p = std::stol(port);
  return p <= 65535 && (p > 0 || allowAnyPort);
}

bool isLoopbackHost(const std::string& host) {
  std::string h = host.size() >= 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

void NodeConfig::validate() const {
  if (!isValidName(name)) {
    throw ConfigError("node name must be 1-64 characters of letters, digits, '.', '_' or '-'");
  }
  // Port 0: any free port, chosen at the first start and written back to node.toml.
  if (!isHostPort(listen, true)) throw ConfigError("listen must be HOST:PORT, e.g. 127.0.0.1:7401");
  if (!adminListen.empty()) {
    if (!isHostPort(adminListen, true)) {
      throw ConfigError("admin_listen must be HOST:PORT, e.g. 127.0.0.1:7480 (or absent: no admin address)");
    }
    if (!isLoopbackHost(adminListen.substr(0, adminListen.rfind(':'))) &&
        (adminTlsCertificate.empty() || adminTlsKey.empty())) {
      throw ConfigError("admin_listen is not a loopback address, so it needs TLS: set admin_tls_certificate and "
                        "admin_tls_key to the PEM files of a certificate for that host (or use 127.0.0.1)");
    }
  }
  if (adminTlsCertificate.empty() != adminTlsKey.empty()) {
    throw ConfigError("set both admin_tls_certificate and admin_tls_key, or neither");
  }
  for (auto& [partner, code] : partnerRegions) {
    if (code.size() != 2 || !std::isupper(static_cast<unsigned char>(code[0])) ||
        !std::isupper(static_cast<unsigned char>(code[1]))) {
      throw ConfigError("[partner_regions] " + partner + " must be an ISO 3166-1 alpha-2 code in capitals, e.g. ES");
    }
  }
  if (region.size() != 2 || !std::isupper(static_cast<unsigned char>(region[0])) ||
      !std::isupper(static_cast<unsigned char>(region[1]))) {
    throw ConfigError("region must be an ISO 3166-1 alpha-2 code in capitals, e.g. FR, ES, PT, FI");
  }
  if (consortium.empty() || consortium.size() > 128) {
    throw ConfigError("consortium must be a name of 1-128 characters shared by all partners");
  }
  int protections = !keyPassphraseFile.empty() + !keyPassphraseEnv.empty() + !keyPassphraseCredential.empty() +
                    insecurePlaintextKey;
  if (protections != 1) {
    throw ConfigError("name exactly one of key_passphrase_file, key_passphrase_env, key_passphrase_credential or "
                      "insecure_plaintext_key = true");
  }
  if (!keyPassphraseCredential.empty() && !isValidCredentialName(keyPassphraseCredential)) {
    throw ConfigError("key_passphrase_credential must be the name of a systemd credential, e.g. \"passphrase\" "
                      "(a file name, without '/')");
  }
}

NodeConfig NodeConfig::load(const std::filesystem::path& nodeDir) {
  NodePaths paths{nodeDir};
  std::error_code ec;
  if (!std::filesystem::exists(paths.config(), ec)) {
    throw ConfigError("no node at " + nodeDir.string() + " (no node.toml); create one with `entente node init --dir " +
                      nodeDir.string() + " --name NAME --listen HOST:PORT --region CC`, or point --node / "
                      "ENTENTE_NODE at an existing node folder");
  }
  toml::table table;
  try {
    table = toml::parse_file(paths.config().string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(paths.config().string() + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()) + "; fix the file or recreate the node");
  }
  NodeConfig config;
  auto field = [&](const char* key, std::string& into, bool required) {
    auto value = table[key].value<std::string>();
    if (value) {
      into = *value;
    } else if (required || table.contains(key)) {
      throw ConfigError(paths.config().string() + ": `" + key + "` is missing or not a string");
    }
  };
  field("name", config.name, true);
  field("listen", config.listen, true);
  field("region", config.region, true);
  field("consortium", config.consortium, false);
  field("key_passphrase_file", config.keyPassphraseFile, false);
  field("key_passphrase_env", config.keyPassphraseEnv, false);
  field("key_passphrase_credential", config.keyPassphraseCredential, false);
  field("admin_listen", config.adminListen, false);
  field("admin_tls_certificate", config.adminTlsCertificate, false);
  field("admin_tls_key", config.adminTlsKey, false);
  if (table.contains("controller")) {
    auto* controller = table["controller"].as_table();
    if (!controller) throw ConfigError(paths.config().string() + ": [controller] must be a table");
    std::pair<const char*, std::string*> keys[] = {
        {"name", &config.controller.name},
        {"address", &config.controller.address},
        {"email", &config.controller.email},
        {"dpo_name", &config.controller.dpoName},
        {"dpo_email", &config.controller.dpoEmail},
        {"representative", &config.controller.representative},
        {"supervisory_authority", &config.controller.supervisoryAuthority},
        {"retention", &config.controller.retention}};
    for (auto& [key, value] : *controller) {
      std::string* into = nullptr;
      for (auto& [name, target] : keys) {
        if (key.str() == name) into = target;
      }
      if (!into) {
        throw ConfigError(paths.config().string() + ": [controller] has no setting `" + std::string(key.str()) +
                          "`; the settings are name, address, email, dpo_name, dpo_email, representative, "
                          "supervisory_authority and retention");
      }
      auto text = value.value<std::string>();
      if (!text) throw ConfigError(paths.config().string() + ": [controller] " + std::string(key.str()) + " must be a string");
      *into = *text;
    }
  }
  if (table.contains("partner_regions")) {
    auto* regions = table["partner_regions"].as_table();
    if (!regions) throw ConfigError(paths.config().string() + ": [partner_regions] must be a table of name = \"CC\"");
    for (auto& [key, value] : *regions) {
      auto text = value.value<std::string>();
      if (!text) throw ConfigError(paths.config().string() + ": [partner_regions] " + std::string(key.str()) + " must be a string");
      config.partnerRegions.emplace_back(std::string(key.str()), *text);
    }
  }
  if (auto* list = table["purpose"].as_array()) {
    config.purposes.clear();
    for (auto& item : *list) {
      auto* entry = item.as_table();
      auto name = entry ? (*entry)["name"].value<std::string>() : std::nullopt;
      auto description = entry ? (*entry)["description"].value<std::string>() : std::nullopt;
      if (!name || !description || !isValidPurposeName(*name)) {
        throw ConfigError(paths.config().string() +
                          ": each [[purpose]] needs a name of [a-z0-9-] and a description for reports");
      }
      config.purposes.push_back({*name, *description});
    }
  }
  if (table.contains("no_progress_timeout_seconds")) {
    auto seconds = table["no_progress_timeout_seconds"].value<int64_t>();
    if (!seconds || *seconds < 5 || *seconds > 3600) {
      throw ConfigError(paths.config().string() + ": `no_progress_timeout_seconds` must be a whole number from 5 to 3600");
    }
    config.noProgressTimeoutSeconds = static_cast<uint32_t>(*seconds);
  }
  auto names = [&](const char* key, std::vector<std::string>& into) {
    if (!table.contains(key)) return;
    auto* list = table[key].as_array();
    for (size_t i = 0; list && i < list->size(); ++i) {
      auto name = (*list)[i].value<std::string>();
      if (!name || name->empty()) {
        list = nullptr;
        break;
      }
      into.push_back(*name);
    }
    if (!list) throw ConfigError(paths.config().string() + ": `" + key + "` must be a list of attribute column names");
  };
  names("special_category_attributes", config.specialCategoryAttributes);
  names("ordinary_attributes", config.ordinaryAttributes);
  if (table.contains("insecure_plaintext_key")) {
    auto flag = table["insecure_plaintext_key"].value<bool>();
    if (!flag) throw ConfigError(paths.config().string() + ": `insecure_plaintext_key` must be true or false");
    config.insecurePlaintextKey = *flag;
  }
  try {
    config.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(paths.config().string() + ": " + e.what());
  }
  return config;
}

std::string NodeConfig::partnerRegion(const std::string& partner) const {
  for (auto& [name, code] : partnerRegions) {
    if (name == partner) return code;
  }
  return {};
}

void NodeConfig::save(const std::filesystem::path& nodeDir) const {
  validate();
  NodePaths paths{nodeDir};
  toml::table table{{"name", name}, {"listen", listen}, {"region", region}, {"consortium", consortium}};
  if (!keyPassphraseFile.empty()) table.insert("key_passphrase_file", keyPassphraseFile);
  if (!keyPassphraseEnv.empty()) table.insert("key_passphrase_env", keyPassphraseEnv);
  if (!keyPassphraseCredential.empty()) table.insert("key_passphrase_credential", keyPassphraseCredential);
  if (insecurePlaintextKey) table.insert("insecure_plaintext_key", true);
  if (!adminListen.empty()) table.insert("admin_listen", adminListen);
  if (!adminTlsCertificate.empty()) table.insert("admin_tls_certificate", adminTlsCertificate);
  if (!adminTlsKey.empty()) table.insert("admin_tls_key", adminTlsKey);
  {
    toml::table controllerTable;
    std::pair<const char*, const std::string*> keys[] = {
        {"name", &controller.name},   {"address", &controller.address},
        {"email", &controller.email}, {"dpo_name", &controller.dpoName},
        {"dpo_email", &controller.dpoEmail}, {"representative", &controller.representative},
        {"supervisory_authority", &controller.supervisoryAuthority}, {"retention", &controller.retention}};
    for (auto& [key, value] : keys) {
      if (!value->empty()) controllerTable.insert(key, *value);
    }
    if (!controllerTable.empty()) table.insert("controller", controllerTable);
    toml::table regions;
    for (auto& [partner, code] : partnerRegions) regions.insert(partner, code);
    if (!regions.empty()) table.insert("partner_regions", regions);
  }
  if (noProgressTimeoutSeconds != 60) table.insert("no_progress_timeout_seconds", int64_t{noProgressTimeoutSeconds});
  auto insertNames = [&](const char* key, const std::vector<std::string>& from) {
    if (from.empty()) return;
    toml::array list;
    for (auto& name : from) list.push_back(name);
    table.insert(key, list);
  };
  insertNames("special_category_attributes", specialCategoryAttributes);
  insertNames("ordinary_attributes", ordinaryAttributes);
  bool defaults = purposes.size() == defaultPurposes().size();
  for (size_t i = 0; defaults && i < purposes.size(); ++i) {
    defaults = purposes[i].name == defaultPurposes()[i].name && purposes[i].description == defaultPurposes()[i].description;
  }
  if (!defaults) {
    toml::array list;
    for (auto& p : purposes) list.push_back(toml::table{{"name", p.name}, {"description", p.description}});
    table.insert("purpose", list);
  }
  std::ostringstream text;
  text << "# Entente node settings; see docs/operations.md.\n" << table << "\n";
  try {
    crypto::writeFileAtomically(paths.config(), text.str());
  } catch (const crypto::FileError& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace entente::node
