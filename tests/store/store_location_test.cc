// What may be printed of a --store location: never a PostgreSQL password.

#include <gtest/gtest.h>

#include "gpufleet/store/store.h"

namespace gpufleet::store {
namespace {

TEST(StoreLocationTest, PostgresPasswordsAreRedacted) {
  EXPECT_EQ(RedactedLocation("postgresql://gpufleet:s3cret@127.0.0.1:5432/gpufleet"),
            "postgresql://gpufleet:***@127.0.0.1:5432/gpufleet");
  EXPECT_EQ(RedactedLocation("postgres://ops:p@ss:w0rd@db.internal/fleet"),
            "postgres://ops:***@db.internal/fleet")
      << "a password with '@' and ':' is hidden whole";
  EXPECT_EQ(RedactedLocation("postgresql://ops@db/fleet?password=hunter2&sslmode=require"),
            "postgresql://ops@db/fleet?password=***&sslmode=require");
  EXPECT_EQ(RedactedLocation("postgresql://ops@db/fleet?sslmode=require&password=hunter2"),
            "postgresql://ops@db/fleet?sslmode=require&password=***");
}

TEST(StoreLocationTest, LocationsWithoutSecretsAreKept) {
  EXPECT_EQ(RedactedLocation("postgresql://ops@db/fleet"), "postgresql://ops@db/fleet");
  EXPECT_EQ(RedactedLocation("postgresql://db:5432/fleet"), "postgresql://db:5432/fleet");
  EXPECT_EQ(RedactedLocation("out/gpufleet:a@b.db"), "out/gpufleet:a@b.db") << "a SQLite path";
  EXPECT_EQ(RedactedLocation("sqlite:/var/lib/gpufleet.db"), "sqlite:/var/lib/gpufleet.db");
}

}  // namespace
}  // namespace gpufleet::store
