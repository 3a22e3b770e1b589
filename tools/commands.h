// The `entente` command line: one function per command group, each adding its
// subcommands (with --help text and an example) to the application. Commands throw
// CliError to fail; main prints "entente: <message>" and exits with its code.
#pragma once

#include "crypto/private-file.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace entente::sample {
struct FirmFile;
}

namespace entente::tools {

void addNodeCommands(CLI::App& app);
void addImportCommand(CLI::App& app);
void addPeerCommands(CLI::App& app);
void addMatchCommand(CLI::App& app);
// entente query save|run|list|history|remove (tools/query-commands.c++).
void addQueryCommands(CLI::App& app);
void addSampleDataCommand(CLI::App& app);
void addDemoCommand(CLI::App& app);
void addBenchCommands(CLI::App& app);
void addTokenCommands(CLI::App& app);
void addConsentCommands(CLI::App& app);
void addCustomerCommands(CLI::App& app);
void addAuditCommands(CLI::App& app);
// After addCustomerCommands and addConsentCommands: adds `customer show` and `consent receipt`.
void addReportCommands(CLI::App& app);
void addHistoryCommands(CLI::App& app);
// help, completion and manpage (tools/help-commands.c++).
void addHelpCommands(CLI::App& app);

// `entente import`, `entente consent import` and `entente history import` share the
// reading, mapping and checking of CSV files (tools/import-command.c++).
struct ImportOptions {
  enum class Kind { CUSTOMERS, CONSENT, HISTORY };
  Kind kind = Kind::CUSTOMERS;
  std::string file;
  std::vector<std::string> maps, ignores;
  std::string mapFile, preset, dateFormat;
  std::string node;
  size_t batchRows = 5000;
  bool json = false;
  bool strict = false, dryRun = false, full = false, removeMissing = false;
  std::string rejectsFile;
  bool force = false;
  uint64_t maxRejects = 0;
};
// Adds the options every import command shares (mapping, guardrails, --node, --json).
void addImportOptions(CLI::App& command, ImportOptions& options);
void runImportCommand(const ImportOptions& options);

// Adds the --node and --token-file options every client command shares.
void addNodeOption(CLI::App& command, std::string& into);
// Adds --node alone (commands that work on the folder, not through a running node),
// with --dir as its alias where a command had --dir before --node was everywhere.
void addNodeFolderOption(CLI::App& command, std::string& into, bool dirAlias = false);

struct InitOptions {
  std::string dir, name, listen, region, consortium = "entente-default";
  // Exactly one: where the key passphrase comes from, or consent to no protection.
  std::string passphraseFile, passphraseEnv, passphraseCredential;
  bool insecurePlaintextKey = false;
};
// Creates a node folder (settings and empty store); `entente node init`.
void initNode(const InitOptions& options, bool quiet);

// The `entente import` arguments that load a sample firm's file.
std::vector<std::string> importArgsFor(const sample::FirmFile& firm);

// The file a command writes its result to, opened before the command does any work so
// that a missing folder or an existing file (kept unless `force`) is refused first,
// with exit code 2. The caller writes to out() and calls commit().
std::unique_ptr<crypto::PrivateFile> openOutputFile(const std::string& path, bool force);

// "2026-12-04T16:28:04Z" (ISO 8601, UTC; text/utc-time.h), or "-" for 0, meaning "none".
std::string utcTime(int64_t unix);
// "2026-12-04" in UTC, or "-" for 0.
std::string utcDay(int64_t unix);

// "1 entry", "2 entries".
std::string counted(uint64_t count, const std::string& one, const std::string& many);

// JSON string literal of `text` (quotes and escapes included), by nlohmann-json, the
// one JSON writer of the project.
std::string jsonString(const std::string& text);

}  // namespace entente::tools
