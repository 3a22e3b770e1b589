// entente: the command line of an Entente node, for IT staff (node, import, peer),
// marketers (match) and anyone trying it out (demo, sample-data).
#include "protocol/user-error.h"
#include "tools/commands.h"
#include "tools/control-client.h"

#include <ctime>
#include <iostream>

namespace entente::tools {

void addNodeOption(CLI::App& command, std::string& into) {
  command.add_option("--node", into, "Node folder (default: $ENTENTE_NODE, else ./entente-node)");
  command.add_option("--token-file", tokenFileOption(),
                     "File holding your token (default: $ENTENTE_TOKEN, $ENTENTE_TOKEN_FILE, else the node's "
                     "admin.token if you can read it)");
}

}  // namespace entente::tools

int main(int argc, char** argv) {
  using namespace entente::tools;
  CLI::App app{"entente: find the customers you share with partner firms without showing them your customer file"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "entente " ENTENTE_VERSION);
  app.footer(
      "Start here:  entente demo                 (two nodes, sample data, a real match)\n"
      "A node:      entente node init --dir D --name boats --listen 127.0.0.1:7401 --region FR\n"
      "Help:        entente COMMAND --help");
  addNodeCommands(app);
  addImportCommand(app);
  addPeerCommands(app);
  addMatchCommand(app);
  addSampleDataCommand(app);
  addDemoCommand(app);
  addBenchCommands(app);
  addTokenCommands(app);
  addConsentCommands(app);
  addCustomerCommands(app);
  addAuditCommands(app);
  addHistoryCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "parse error" that exits 0; real usage errors exit 2, as documented.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const CliError& e) {
    std::cerr << "entente: " << e.what() << "\n";
    return e.exitCode();
  } catch (const kj::Exception& e) {
    std::cerr << "entente: " << entente::protocol::userMessage(e) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "entente: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
