// A node's settings, kept in `node.toml` in the node's folder. `entente node init`
// writes it; `entente node start` and every client command read it.
//
//   name = "boats"                # how partners list this node
//   listen = "127.0.0.1:7401"     # partner endpoint (host:port)
//   region = "FR"                 # default country for phone numbers and addresses
//   consortium = "entente-demo"   # hash domain shared by all partners of one network
//   key_passphrase_file = "/etc/entente/passphrase"   # or key_passphrase_env = "VAR",
//                                                      # or key_passphrase_credential = "passphrase",
//                                                      # or insecure_plaintext_key = true
//   admin_listen = "127.0.0.1:7480"                    # metrics at /metrics; off when absent
//   special_category_attributes = ["blood_group"]      # beyond the names recognised
//   ordinary_attributes = ["party_size"]               # recognised by name, but not special
//   admin_tls_certificate = "/etc/entente/admin.crt"   # PEM; needed when admin_listen is not loopback
//   admin_tls_key = "/etc/entente/admin.key"
//
//   [controller]                  # who is responsible, for the record of processing (GDPR Art. 30)
//   name = "Boats SA"
//   address = "1 quai des Voiles, 13002 Marseille, France"
//   email = "privacy@boats.example"
//   dpo_name = "Ana Martin"
//   dpo_email = "dpo@boats.example"
//   representative = ""            # the EU representative, for a controller outside the EU
//   supervisory_authority = "CNIL, 3 place de Fontenoy, 75007 Paris, www.cnil.fr"
//   retention = "three years after the last purchase or contact"
//
//   [partner_regions]             # where each partner processes data (ISO 3166-1 alpha-2)
//   travel = "ES"
#pragma once

#include "node/server/purposes.h"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace entente::node {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The controller's details for the record of processing and the subject report. Empty
// fields are reported as missing, never filled with a guess.
struct ControllerSettings {
  std::string name;
  std::string address;
  std::string email;
  std::string dpoName;
  std::string dpoEmail;
  std::string representative;
  std::string supervisoryAuthority;
  std::string retention;
};

struct NodeConfig {
  std::string name;
  std::string listen;
  std::string region;
  std::string consortium = "entente-default";
  // Where the passphrase that seals the identity key comes from: a file, an
  // environment variable, or a systemd credential (the file of that name in
  // $CREDENTIALS_DIRECTORY, which systemd fills from LoadCredential= and which only
  // the service can read), named here; the passphrase itself is never in node.toml.
  // None: the key is stored unprotected, allowed only when insecurePlaintextKey.
  std::string keyPassphraseFile{};
  std::string keyPassphraseEnv{};
  std::string keyPassphraseCredential{};
  bool insecurePlaintextKey = false;
  // The purposes matches and consent use ([[purpose]] tables; defaults when none).
  std::vector<PurposeDefinition> purposes = defaultPurposes();
  // A match whose partner sends nothing for this long is ended with an error naming
  // the partner (`no_progress_timeout_seconds`, 5 to 3600).
  uint32_t noProgressTimeoutSeconds = 60;
  // The admin address (node/server/admin-http.h): loopback host:port, port 0 for any
  // free one (written back at the first start); empty: not served.
  std::string adminListen{};
  // Attribute columns holding special-category data (GDPR Art. 9) beyond those the
  // import recognises by name (node/import/special-categories.h), and columns it
  // recognises that are not. Such attributes are stored, shown to the firm's own
  // users, marked as such, and never offered to a partner.
  std::vector<std::string> specialCategoryAttributes{};
  std::vector<std::string> ordinaryAttributes{};
  // The admin address's TLS certificate chain and key (PEM files the operator provides),
  // required when adminListen is not a loopback address.
  std::string adminTlsCertificate{};
  std::string adminTlsKey{};
  ControllerSettings controller{};
  // Partner name -> ISO 3166-1 alpha-2 country where it processes (transfers outside
  // the EU/EEA are flagged in the record of processing).
  std::vector<std::pair<std::string, std::string>> partnerRegions{};
  std::string partnerRegion(const std::string& partner) const;  // "" when not set
  bool knowsPurpose(const std::string& name) const;
  std::string purposeNames() const;  // "a, b, c", for messages

  // Throws ConfigError naming the file and the field that is missing or wrong.
  static NodeConfig load(const std::filesystem::path& nodeDir);
  // Checks every field; throws ConfigError with what to change.
  void validate() const;
  // Writes node.toml atomically (temporary file, then rename).
  void save(const std::filesystem::path& nodeDir) const;
};

// Where a node keeps its pieces inside its folder.
struct NodePaths {
  std::filesystem::path dir;
  std::filesystem::path config() const { return dir / "node.toml"; }
  std::filesystem::path store() const { return dir / "store"; }
  std::filesystem::path controlSocket() const { return dir / "control.sock"; }
  std::filesystem::path log() const { return dir / "node.log"; }
  std::filesystem::path adminToken() const { return dir / "admin.token"; }
};

// True for a loopback host: localhost, 127.0.0.0/8, ::1 (brackets allowed).
bool isLoopbackHost(const std::string& host);
// True for "host:port" with a port in 1..65535 (port 0 allowed when `allowAnyPort`).
bool isHostPort(const std::string& address, bool allowAnyPort = false);
// Node and peer names: 1-64 characters of [A-Za-z0-9._-].
bool isValidName(const std::string& name);
// Names of systemd credentials we accept: a plain file name (no '/', not "." or "..").
bool isValidCredentialName(const std::string& name);

}  // namespace entente::node
