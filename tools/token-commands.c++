// entente token create | list | revoke: the local credentials of the control socket.
// An administrator gives marketers and compliance officers tokens of their role; the
// node attributes each request to its token's name.
#include "tools/commands.h"
#include "tools/control-client.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace entente::tools {
namespace {

struct TokenOptions {
  std::string name, role, node;
  bool json = false;
};

void create(const TokenOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().createTokenRequest();
  request.setName(o.name);
  request.setRole(o.role);
  auto response = client.wait(request.send());  // owns the token's text
  auto token = response.getToken();
  // The token on stdout alone, so that it can be redirected into a file; the advice on
  // stderr.
  fmt::print("{}\n", token.cStr());
  fmt::print(stderr,
             "token for '{}' ({}): shown once, not stored by the node; give it to its user, who passes it with "
             "--token-file FILE or ENTENTE_TOKEN\n",
             o.name, o.role);
}

void list(const TokenOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto response = client.wait(client.control().listTokensRequest().send());
  if (o.json) {
    // Field names documented in docs/operations.md, "JSON output".
    auto out = nlohmann::ordered_json::array();
    for (auto t : response.getTokens()) {
      out.push_back({{"name", t.getName().cStr()},
                     {"role", t.getRole().cStr()},
                     {"createdAtUnix", t.getCreatedAtUnix()},
                     {"revoked", t.getRevoked()},
                     {"state", t.getRevoked() ? "revoked" : "active"}});
    }
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("{:<24} {:<12} {:<21} {}\n", "NAME", "ROLE", "CREATED (UTC)", "STATE");
  for (auto t : response.getTokens()) {
    fmt::print("{:<24} {:<12} {:<21} {}\n", t.getName().cStr(), t.getRole().cStr(), utcTime(t.getCreatedAtUnix()),
               t.getRevoked() ? "revoked" : "active");
  }
}

void revoke(const TokenOptions& o) {
  ControlClient client(resolveNodeDir(o.node));
  auto request = client.control().revokeTokenRequest();
  request.setName(o.name);
  auto n = client.wait(request.send()).getRevoked();
  fmt::print("revoked {} token(s) of '{}'\n", n, o.name);
}

}  // namespace

void addTokenCommands(CLI::App& app) {
  auto* group = app.add_subcommand("token", "Tokens for the people who use this node (admin, marketer, compliance)");
  group->require_subcommand(1);
  group->footer("Example: entente token create --role marketer --name ana > ana.token");

  auto c = std::make_shared<TokenOptions>();
  auto* createCmd = group->add_subcommand("create", "Issue a token; it is printed once and only its hash is kept");
  createCmd->add_option("--name", c->name, "Who will use it (their actions are logged under this name)")->required();
  createCmd->add_option("--role", c->role, "admin, marketer or compliance")
      ->required()
      ->check(CLI::IsMember({"admin", "marketer", "compliance"}));
  addNodeOption(*createCmd, c->node);
  createCmd->footer(
      "Roles: admin may do everything; marketer may run matches and read their results; compliance may read\n"
      "status, identity and peers, show and report consent, and verify and export the audit log.\n"
      "Example: entente token create --role marketer --name ana > ana.token");
  createCmd->callback([c] { create(*c); });

  auto l = std::make_shared<TokenOptions>();
  auto* listCmd = group->add_subcommand("list", "List tokens by name and role (never their secrets)");
  addNodeOption(*listCmd, l->node);
  listCmd->add_flag("--json", l->json, "Print a JSON array");
  listCmd->footer("Example: entente token list --json");
  listCmd->callback([l] { list(*l); });

  auto r = std::make_shared<TokenOptions>();
  auto* revokeCmd = group->add_subcommand("revoke", "Revoke every token issued under a name");
  revokeCmd->add_option("NAME", r->name, "The name the tokens were issued to")->required();
  addNodeOption(*revokeCmd, r->node);
  revokeCmd->footer("Example: entente token revoke ana");
  revokeCmd->callback([r] { revoke(*r); });
}

}  // namespace entente::tools
