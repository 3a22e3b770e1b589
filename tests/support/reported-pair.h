// Two paired nodes (boats asks, travel answers) sharing three people by e-mail, with
// different consent on each side, and one ids and one count session already run: the
// ground truth the report tests check the reports against.
#pragma once

#include "tests/support/entente-cli.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace entente::testing {

// Two paired nodes sharing three people (by e-mail), with different consent on each side.
struct ReportedPair {
  TestNetwork net;
  std::string idsSession, countSession;
  ReportedPair() {
    net.addNode("boats", "FR");
    net.addNode("travel", "FR");
    net.pair("boats", "travel");
    REQUIRE(net.run("travel", {"peer", "policy", "boats", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    REQUIRE(net.run("boats", {"peer", "policy", "travel", "--min-query", "1", "--min-overlap", "0"}).exitCode == 0);
    write("boats.csv",
          "customer_id,email,first_name,segment,consent_overlap-analysis,consent_cross-selling\n"
          "B1,ana.silva@example.pt,Ana,sailing,yes,yes\n"
          "B2,joao.costa@example.pt,João,sailing,yes,no\n"
          "B3,eva.jarvi@example.fi,Eva,motor,yes,yes\n"
          "B4,only.boats@example.fr,Luc,motor,no,no\n");
    write("travel.csv",
          "customer_id,email,consent_overlap-analysis,consent_cross-selling\n"
          "T1,Ana.Silva@Example.PT,yes,yes\n"
          "T2,JOAO.COSTA@example.pt,yes,yes\n"
          "T3,eva.jarvi@example.fi,yes,no\n");
    REQUIRE(net.run("boats", {"import", path("boats.csv"), "--preset", "salesforce", "--map", "customer_id=customer_id",
                              "--map", "email=email", "--map", "first_name=first_name", "--map", "segment=segment",
                              "--map", "consent_overlap-analysis=consent_overlap-analysis", "--map",
                              "consent_cross-selling=consent_cross-selling"})
                .exitCode == 0);
    REQUIRE(net.run("travel", {"import", path("travel.csv")}).exitCode == 0);
    idsSession = match("cross-selling", "ids");
    countSession = match("overlap-analysis", "count");
  }
  std::string path(const std::string& name) { return (net.root() / name).string(); }
  void write(const std::string& name, const std::string& text) { std::ofstream(net.root() / name) << text; }
  std::string match(const std::string& purpose, const std::string& mode) {
    auto r = net.run("boats", {"match", "--peer", "travel", "--purpose", purpose, "--mode", mode, "--json", "--kinds",
                               "email"});
    REQUIRE(r.exitCode == 0);
    return nlohmann::json::parse(r.out.substr(0, r.out.find('\n')))["session"].get<std::string>();
  }
  nlohmann::json report(const std::string& node, std::vector<std::string> args) {
    args.insert(args.begin(), "report");
    args.insert(args.end(), {"--format", "json"});
    auto r = net.run(node, args);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return nlohmann::json::parse(r.out);
  }
};

}  // namespace entente::testing
