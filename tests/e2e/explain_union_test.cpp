// End-to-end on a small custom (non-PNCP) project: trace and impact through unions — a model
// that aggregates a UNION ALL CTE of two inputs, and a model that is itself a union — back to
// every input row that fed a row, and forward from one input row to exactly the rows it feeds;
// column-level impact checked against changing the value and rebuilding; the reverse-join
// capture of a model that joins two aggregates (lineage_capture), and its staleness.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/baliza_cli.h"

namespace baliza {
namespace {

using nlohmann::json;

class ExplainUnion : public testing::BalizaCli {
 public:
  testing::ProcessResult run(const std::string& args) { return baliza(args); }

 protected:
  void SetUp() override {
    write("baliza.yml",
          "name: library\ndatabase: data/lib.duckdb\nmodels:\n  library:\n"
          "    +materialized: table\n");
    // Two branches lend books; book 'b1' is lent 3 times at branch a and twice at b (one of
    // them with no day: filtered out by the union operand's WHERE).
    write("seeds/loans_a.csv",
          "id,book,day,amount\n1,b1,2024-01-05,10\n2,b1,2024-01-09,20\n3,b2,2024-01-03,5\n"
          "4,b1,2024-02-01,7\n5,,2024-02-02,1\n");
    write("seeds/loans_b.csv",
          "id,book,day,amount\n1,b1,2024-01-02,3\n2,b3,2024-01-04,4\n"
          "3,b1,,100\n");
    write("models/per_book.sql",
          "with seen as (\n"
          "  select book, day, amount, 'a' as branch from {{ ref('loans_a') }}\n"
          "  union all\n"
          "  select book, day, amount, 'b' from {{ ref('loans_b') }} where day is not null\n"
          ")\n"
          "select book, count(*) as loans, sum(amount) as total, min(day) as first_day\n"
          "from seen where book is not null group by book\n");
    // Two aggregates joined: captured at build time.
    write("models/branch_stats.sql",
          "{{ config(lineage_capture=true) }}\n"
          "with a as (select book, count(*) as n from {{ ref('loans_a') }} group by book),\n"
          "b as (select book, sum(amount) as s from {{ ref('loans_b') }} group by book)\n"
          "select a.book, a.n, b.s from a left join b using (book)\n");
    // A window over a frame: each row reads the one before it too.
    write("models/running.sql",
          "{{ config(lineage_capture=true) }}\n"
          "select id, sum(amount) over (order by id rows between 1 preceding and current row) "
          "as last_two from {{ ref('loans_a') }}\n");
    write("models/all_loans.sql",
          "select id, book, day, 'a' as branch from {{ ref('loans_a') }}\n"
          "union all\n"
          "select id, book, day, 'b' as branch from {{ ref('loans_b') }}\n");
  }

  void write(const std::string& path, const std::string& content) {
    std::filesystem::path p = dir / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  }
  std::string scalar(const std::string& sql) { return BalizaCli::scalar("data/lib.duckdb", sql); }
  json run_json(const std::string& args, int expected_exit) {
    auto r = baliza(args + " --format json");
    if (expected_exit >= 0) {
      EXPECT_EQ(r.exit_code, expected_exit) << args << "\n" << r.out << r.err;
    }
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  static const json* level(const json& result, const std::string& relation) {
    for (const json& l : result["levels"])
      if (l["relation"] == relation) return &l;
    return nullptr;
  }
  static std::set<std::string> ids(const json& level) {
    std::set<std::string> out;
    for (const json& row : level["sample"]) out.insert(row["id"].dump());
    return out;
  }
};

TEST_F(ExplainUnion, TraceAndImpactThroughUnions) {
  auto build = baliza("build");
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;

  // A row aggregated over a UNION ALL CTE: every row of each input that fed it, and only those.
  json t = run_json("trace per_book --key b1 --limit 100", 0);
  ASSERT_TRUE(t["complete"].get<bool>()) << t.dump(2);
  EXPECT_NE(t["levels"][0]["notes"][0].get<std::string>().find("counts and sums match"),
            std::string::npos)
      << t.dump(2);
  const json* a = level(t, "main.loans_a");
  const json* b = level(t, "main.loans_b");
  ASSERT_NE(a, nullptr) << t.dump(2);
  ASSERT_NE(b, nullptr) << t.dump(2);
  EXPECT_EQ(ids(*a), (std::set<std::string>{"1", "2", "4"}));
  EXPECT_EQ(ids(*b), (std::set<std::string>{"1"}));  // id 3 has no day: the operand drops it
  EXPECT_EQ(scalar("select loans || '|' || total from per_book where book = 'b1'"),
            std::to_string((*a)["rows"].get<int>() + (*b)["rows"].get<int>()) + "|40");

  // A model that is a union: each row back to the one input row it copies.
  json u = run_json("trace all_loans --where \"branch = 'b' and id = 3\"", 0);
  ASSERT_TRUE(u["complete"].get<bool>()) << u.dump(2);
  const json* ub = level(u, "main.loans_b");
  ASSERT_NE(ub, nullptr) << u.dump(2);
  EXPECT_EQ((*ub)["rows"], 1);
  EXPECT_EQ(ids(*ub), (std::set<std::string>{"3"}));
  EXPECT_EQ((*ub)["sample"][0]["amount"], 100);
  EXPECT_EQ(level(u, "main.loans_a"), nullptr) << u.dump(2);

  // Forward: one input row reaches exactly the rows it feeds through both unions.
  json im = run_json("impact --relation loans_b --where \"id = 2\" --limit 100", 0);
  ASSERT_TRUE(im["complete"].get<bool>()) << im.dump(2);
  const json* books = level(im, "main.per_book");
  ASSERT_NE(books, nullptr) << im.dump(2);
  ASSERT_EQ((*books)["rows"], 1);
  EXPECT_EQ((*books)["sample"][0]["book"], "b3");
  const json* all = level(im, "main.all_loans");
  ASSERT_NE(all, nullptr) << im.dump(2);
  ASSERT_EQ((*all)["rows"], 1);
  EXPECT_EQ((*all)["sample"][0]["branch"], "b");
  // A row the union operand filters out feeds no per_book row, only its all_loans row.
  json none = run_json("impact --relation loans_b --where \"id = 3\"", 0);
  EXPECT_EQ(level(none, "main.per_book"), nullptr) << none.dump(2);
  ASSERT_NE(level(none, "main.all_loans"), nullptr) << none.dump(2);
}

// The models whose rows differ between the database and a copy where `change` was applied and
// the models rebuilt.
std::set<std::string> changed_models(ExplainUnion& t, const std::filesystem::path& dir,
                                     const std::string& change,
                                     const std::vector<std::string>& models = {
                                         "per_book", "all_loans", "branch_stats"}) {
  std::filesystem::copy_file(dir / "data" / "lib.duckdb", dir / "data" / "changed.duckdb",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(t.run("--db data/changed.duckdb query \"" + change + "\"").exit_code, 0);
  auto rebuilt = t.run("--db data/changed.duckdb transform --full-refresh -q");
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.out << rebuilt.err;
  std::set<std::string> out;
  for (const std::string& m : models) {
    auto r = t.run(
        "--db data/changed.duckdb query -f csv \"attach 'data/lib.duckdb' as o "
        "(read_only); select count(*) from ((select * from o.main." +
        m + " except all select * from main." + m + ") union all (select * from main." + m +
        " except all select * from o.main." + m + "))\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.out.find("\n0\n") == std::string::npos) out.insert("main." + m);
  }
  return out;
}

TEST_F(ExplainUnion, GroupsInCtesAndSemiJoinsAreFollowed) {
  // The shape of PNCP's purchases removed upstream and their items, on a library: the newest
  // loan of each book (a table joined to an aggregate CTE), a union of CTEs over it and over a
  // DISTINCT, deduplicated; the loans of flagged books (WHERE .. IN (SELECT .. FROM flagged)).
  write("models/latest.sql",
        "with last as (select book, max(day) as day from {{ ref('loans_a') }} group by book)\n"
        "select a.id, a.book, a.amount from {{ ref('loans_a') }} a\n"
        "join last l on l.book = a.book and l.day = a.day\n");
  write("models/flagged.sql",
        "with last as (select book, max(day) as day from {{ ref('loans_a') }} group by book),\n"
        "late as (select a.book, 'late' as why from {{ ref('loans_a') }} a\n"
        "  join last l on l.book = a.book and l.day = a.day where a.amount < 10),\n"
        "big as (select distinct book, 'big' as why from {{ ref('loans_b') }}\n"
        "  where amount between 4 and 50)\n"
        "select book, why from (select * from late union all select * from big)\n"
        "qualify row_number() over (partition by book order by why desc) = 1\n");
  write("models/flagged_loans.sql",
        "select * from {{ ref('loans_b') }} where book in (select book from {{ ref('flagged') "
        "}})\n");
  auto build = baliza("build");
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  ASSERT_EQ(scalar("select string_agg(book || ':' || why, ' ' order by book) from flagged"),
            "b1:late b2:late b3:big");

  // Backward: the newest loan of b1 (id 4) and every loan of b1 its max(day) was taken over.
  json t = run_json("trace latest --where \"book = 'b1'\" --limit 100", 0);
  ASSERT_TRUE(t["complete"].get<bool>()) << t.dump(2);
  std::set<std::string> seen;
  for (const json& l : t["levels"])
    if (l["relation"] == "main.loans_a")
      for (const json& row : l["sample"]) seen.insert(row["id"].dump());
  EXPECT_EQ(seen, (std::set<std::string>{"1", "2", "4"})) << t.dump(2);
  // Through the union of CTEs: b3 is flagged by its big loan at branch b (id 2) only.
  json f = run_json("trace flagged --where \"book = 'b3'\" --limit 100", 0);
  ASSERT_TRUE(f["complete"].get<bool>()) << f.dump(2);
  ASSERT_NE(level(f, "main.loans_b"), nullptr) << f.dump(2);
  EXPECT_EQ(ids(*level(f, "main.loans_b")), (std::set<std::string>{"2"})) << f.dump(2);
  EXPECT_EQ(level(f, "main.loans_a"), nullptr) << f.dump(2);
  // Through the semi-join: the flagged row that lets a loan in.
  json s = run_json("trace flagged_loans --where \"id = 2\"", 0);
  ASSERT_TRUE(s["complete"].get<bool>()) << s.dump(2);
  ASSERT_NE(level(s, "main.flagged"), nullptr) << s.dump(2);
  EXPECT_EQ((*level(s, "main.flagged"))["sample"][0]["book"], "b3");

  // Forward: complete, and the models listed are exactly those that change when the row goes.
  const std::vector<std::string> models = {"per_book", "all_loans", "latest", "flagged",
                                           "flagged_loans"};
  for (const auto& [table, id] : {std::pair<std::string, std::string>{"loans_b", "2"},
                                  std::pair<std::string, std::string>{"loans_a", "4"}}) {
    json im = run_json("impact --relation " + table + " --where \"id = " + id + "\"", 0);
    ASSERT_TRUE(im["complete"].get<bool>()) << im.dump(2);
    std::set<std::string> listed;
    for (const json& l : im["levels"])
      if (l["depth"] == 1 && l["relation"] != "main.branch_stats" &&
          l["relation"] != "main.running")
        listed.insert(l["relation"].get<std::string>());
    EXPECT_EQ(listed, changed_models(*this, dir.path(),
                                     "delete from main." + table + " where id = " + id, models))
        << table << " " << id << "\n"
        << im.dump(2);
  }
}

TEST_F(ExplainUnion, ColumnImpactListsExactlyTheModelsAValueChangeReaches) {
  ASSERT_EQ(baliza("build").exit_code, 0);
  json im = run_json("impact --relation loans_b --where \"id = 2\" --column amount", 0);
  std::set<std::string> listed;
  for (const json& l : im["levels"])
    if (l["depth"] == 1) listed.insert(l["relation"].get<std::string>());
  const json* books = level(im, "main.per_book");
  ASSERT_NE(books, nullptr) << im.dump(2);
  ASSERT_EQ((*books)["columns"].size(), 1u) << im.dump(2);
  EXPECT_EQ((*books)["columns"][0]["column"], "total");
  EXPECT_EQ((*books)["sample"][0]["book"], "b3");
  EXPECT_EQ(level(im, "main.all_loans"), nullptr) << im.dump(2);  // it has no amount
  EXPECT_EQ(listed,
            changed_models(*this, dir.path(), "update main.loans_b set amount = 999 where id = 2"));

  // A key column shapes rows: the group changes (rows move), every column may change.
  json key = run_json("impact --relation loans_b --where \"id = 2\" --column book", 0);
  const json* moved = level(key, "main.per_book");
  ASSERT_NE(moved, nullptr) << key.dump(2);
  EXPECT_NE((*moved)["rows_shaped"].get<std::string>().find("main.loans_b.book"),
            std::string::npos);
  ASSERT_NE(level(key, "main.all_loans"), nullptr) << key.dump(2);

  auto bad = baliza("impact --relation loans_b --column nope");
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("main.loans_b has no column nope; its columns: id, book, day, amount"),
            std::string::npos)
      << bad.err;
}

TEST_F(ExplainUnion, CapturedModelTracesExactlyUntilItsInputsChange) {
  auto build = baliza("build");
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  EXPECT_NE(build.err.find("row capture: main.branch_stats captured: 3 of 3 rows, 7 links"),
            std::string::npos)
      << build.err;
  json t = run_json("trace branch_stats --where \"book = 'b1'\" --limit 100", 0);
  ASSERT_TRUE(t["complete"].get<bool>()) << t.dump(2);
  const json* a = level(t, "main.loans_a");
  const json* b = level(t, "main.loans_b");
  ASSERT_NE(a, nullptr) << t.dump(2);
  ASSERT_NE(b, nullptr) << t.dump(2);
  EXPECT_EQ((*a)["via"], "rows captured at build time (lineage.row_capture)");
  EXPECT_EQ(ids(*a), (std::set<std::string>{"1", "2", "4"}));
  EXPECT_EQ(ids(*b), (std::set<std::string>{"1", "3"}));
  // A window's frame: the row and the one before it.
  json w = run_json("trace running --where \"id = 3\"", 0);
  ASSERT_NE(level(w, "main.loans_a"), nullptr) << w.dump(2);
  EXPECT_EQ(ids(*level(w, "main.loans_a")), (std::set<std::string>{"2", "3"})) << w.dump(2);
  // Forward through the capture: exactly the row a change reaches.
  json im = run_json("impact --relation loans_b --where \"id = 1\"", 0);
  const json* stats = level(im, "main.branch_stats");
  ASSERT_NE(stats, nullptr) << im.dump(2);
  EXPECT_EQ((*stats)["rows"], 1);
  EXPECT_EQ((*stats)["sample"][0]["book"], "b1");
  EXPECT_TRUE(changed_models(*this, dir.path(), "update main.loans_b set amount = 5 where id = 1")
                  .count("main.branch_stats"));
  // An input rebuilt since the capture (same rows, new rowids): said, and the capture not used.
  auto reseed = baliza("build -s loans_a");
  ASSERT_EQ(reseed.exit_code, 0) << reseed.out << reseed.err;
  json rebuilt = run_json("trace branch_stats --where \"book = 'b1'\"", -1);
  EXPECT_NE(rebuilt["levels"][0]["notes"].dump().find(
                "row capture not used: main.loans_a was rebuilt at "),
            std::string::npos)
      << rebuilt.dump(2);
  ASSERT_EQ(baliza("build -s branch_stats").exit_code, 0);  // captured again
  json again = run_json("trace branch_stats --where \"book = 'b1'\"", 0);
  EXPECT_EQ((*level(again, "main.loans_a"))["via"],
            "rows captured at build time (lineage.row_capture)");
  // An input changed since the capture: said, and the capture is not used.
  ASSERT_EQ(
      baliza("--db data/lib.duckdb query \"delete from main.loans_a where id = 5\"").exit_code, 0);
  json stale = run_json("trace branch_stats --where \"book = 'b1'\"", -1);
  std::string notes = stale["levels"][0]["notes"].dump();
  EXPECT_NE(notes.find("row capture not used: main.loans_a has 4 rows, 5 when captured"),
            std::string::npos)
      << stale.dump(2);
}

}  // namespace
}  // namespace baliza
