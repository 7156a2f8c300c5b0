// Coordinator URLs in every form libpq takes: the password never survives redaction.
#include "coord/redact.h"

#include <gtest/gtest.h>

namespace baliza::coord {
namespace {

TEST(Redact, UriUserinfoPassword) {
  EXPECT_EQ(redact_url("postgresql://baliza:s3cret@db.example:5432/baliza"),
            "postgresql://baliza:***@db.example:5432/baliza");
  EXPECT_EQ(redact_url("postgres://baliza:s3cret@db.example/baliza"),
            "postgres://baliza:***@db.example/baliza");
  EXPECT_EQ(redact_url("postgresql://:s3cret@db.example"), "postgresql://:***@db.example");
}

TEST(Redact, UriWithoutPasswordIsUnchanged) {
  for (const std::string url :
       {"postgresql://baliza@db.example:5432/baliza", "postgresql://db.example:5432/baliza",
        "postgresql:///baliza?host=/run/postgresql", "postgresql://%2Frun%2Fpostgresql/baliza",
        "postgresql://db.example:5432/baliza?user=a@b&sslmode=require",
        "host=/run/postgresql port=5432 user=baliza dbname=postgres"}) {
    EXPECT_EQ(redact_url(url), url);
    EXPECT_TRUE(url_passwords(url).empty()) << url;
  }
}

TEST(Redact, UriQueryPassword) {
  EXPECT_EQ(redact_url("postgresql://db.example/baliza?sslmode=require&password=s3cret&user=b"),
            "postgresql://db.example/baliza?sslmode=require&password=***&user=b");
  // Percent-encoded key and value.
  const std::string encoded = "postgresql://db/b?pass%77ord=p%40ss%2Fw";
  EXPECT_EQ(redact_url(encoded), "postgresql://db/b?pass%77ord=***");
  EXPECT_EQ(redact_text("bad password \"p@ss/w\" and p%40ss%2Fw", encoded),
            "bad password \"***\" and ***");
}

TEST(Redact, ConninfoQuotedAndSpacedPasswords) {
  EXPECT_EQ(redact_url("host=db user=baliza password=s3cret dbname=baliza"),
            "host=db user=baliza password=*** dbname=baliza");
  EXPECT_EQ(redact_url("host=db password = 's3 cr\\'et' user=baliza"),
            "host=db password = *** user=baliza");
  const std::string url = "host=/tmp/x password='s3 cr\\'et'";
  const std::string text = redact_text("missing \"=\" after \"cr'et\" in s3 cr'et", url);
  EXPECT_EQ(text.find("cr'et"), std::string::npos) << text;
}

TEST(Redact, NestedDbnameConnectionString) {
  const std::string url = "dbname='postgresql://u:s3cret@db/baliza' connect_timeout=5";
  EXPECT_EQ(redact_url(url).find("s3cret"), std::string::npos) << redact_url(url);
  EXPECT_EQ(redact_text("server said s3cret", url), "server said ***");
}

TEST(Redact, TextWithoutPasswordIsUnchanged) {
  EXPECT_EQ(redact_text("connection refused", "host=db user=baliza"), "connection refused");
}

}  // namespace
}  // namespace baliza::coord
