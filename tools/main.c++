// entente: the command line of an Entente node, for IT staff (node, import, peer),
// marketers (match) and anyone trying it out (demo, sample-data). The command tree
// is built in tools/command-tree.c++; here it is parsed and its errors reported.
#include "protocol/user-error.h"
#include "tools/command-tree.h"
#include "tools/control-client.h"
#include "tools/usage-errors.h"

#include <iostream>

int main(int argc, char** argv) {
  using namespace entente::tools;
  CLI::App app;
  buildCommandLine(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "parse errors" that exit 0; real usage errors exit 2, as
    // documented, naming what was not understood.
    if (e.get_exit_code() == 0) return app.exit(e);
    return reportUsageError(app, e, std::cerr);
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
