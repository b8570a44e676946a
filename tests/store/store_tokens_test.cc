// The Store contract for API tokens, on every back end: round trips of every role and scope,
// revocation by id, names unique among live tokens (an expired one gives its name up), the
// atomic replacement of a named token, last use, and the checks on what is written.

#include <string>
#include <vector>

#include "store/store_conformance_fixture.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

class StoreTokensTest : public StoreConformanceTest {};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTokensTest, StoreBackendNames(), BackendTestName);

TEST_P(StoreTokensTest, EveryRoleRoundTripsAndRevokedTokensAreNotFound) {
  const std::vector<TokenRecord> tokens = {
      MakeToken('a', Role::kAdmin, "", 7),     MakeToken('b', Role::kTenant, "acme", 8),
      MakeToken('c', Role::kInventory, "", 9), MakeToken('d', Role::kNode, "node-0001", 10),
      MakeToken('e', Role::kViewer, "", 11),
  };
  for (const TokenRecord& t : tokens) ASSERT_TRUE(store_->PutToken(t).ok()) << t.id;
  for (const TokenRecord& t : tokens) {
    Result<std::optional<TokenRecord>> found = store_->FindToken(t.sha256_hex);
    ASSERT_TRUE(found.ok() && found->has_value()) << t.id;
    EXPECT_EQ(**found, t);
    Result<TokenRecord> by_id = store_->GetToken(t.id);
    ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
    EXPECT_EQ(*by_id, t);
  }
  Result<std::vector<TokenRecord>> all = store_->ListTokens();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, tokens);  // by created_at_ms

  EXPECT_EQ(store_->PutToken(tokens[1]).code(), Code::kFailedPrecondition);
  ASSERT_TRUE(store_->RevokeToken(tokens[1].id, 50).ok());
  ASSERT_TRUE(store_->RevokeToken(tokens[1].id, 60).ok());  // again: nothing changes
  Result<std::optional<TokenRecord>> found = store_->FindToken(tokens[1].sha256_hex);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  Result<TokenRecord> revoked = store_->GetToken(tokens[1].id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(revoked->revoked_at_ms, 50);
  EXPECT_EQ(store_->RevokeToken("tok_0000000000000000", 9).code(), Code::kNotFound);
  EXPECT_EQ(store_->GetToken("tok_0000000000000000").status().code(), Code::kNotFound);
}

TEST_P(StoreTokensTest, WhatIsWrittenIsChecked) {
  TokenRecord bad = MakeToken('d', Role::kTenant, "nobody", 1);
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);  // unknown tenant
  bad = MakeToken('e', Role::kAdmin, "", 1);
  bad.tenant = "acme";
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);  // admin with a tenant
  bad = MakeToken('e', Role::kViewer, "", 1);
  bad.node = "node-0001";
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);  // viewer with a node
  bad = MakeToken('e', Role::kNode, "", 1);
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);  // node without a node
  bad = MakeToken('e', Role::kAdmin, "", 1);
  bad.id = "tok_something-else";
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);  // id not of its hash
  bad = MakeToken('e', Role::kAdmin, "", 10);
  bad.expires_at_ms = 10;
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);  // expires as created
  bad = MakeToken('e', Role::kAdmin, "", 1);
  bad.sha256_hex = "ABC";
  bad.id = TokenIdForHash(bad.sha256_hex);
  EXPECT_EQ(store_->PutToken(bad).code(), Code::kInvalidArgument);
  Result<std::vector<TokenRecord>> all = store_->ListTokens();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(StoreTokensTest, NamesAreUniqueAmongLiveTokensAndExpiryFreesThem) {
  TokenRecord first = MakeToken('a', Role::kViewer, "", 100);
  first.name = "dashboard";
  first.expires_at_ms = 200;
  ASSERT_TRUE(store_->PutToken(first).ok());
  TokenRecord second = MakeToken('b', Role::kViewer, "", 150);
  second.name = "dashboard";
  EXPECT_EQ(store_->PutToken(second).code(), Code::kAlreadyExists);  // first still live at 150
  second = MakeToken('b', Role::kViewer, "", 200);
  second.name = "dashboard";
  ASSERT_TRUE(store_->PutToken(second).ok());  // first expired at 200: revoked as of then
  Result<TokenRecord> old = store_->GetToken(first.id);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->revoked);
  EXPECT_EQ(old->revoked_at_ms, 200);
  ASSERT_TRUE(store_->RevokeToken(second.id, 300).ok());
  TokenRecord third = MakeToken('c', Role::kViewer, "", 400);
  third.name = "dashboard";
  EXPECT_TRUE(store_->PutToken(third).ok());  // a revoked token holds no name
}

TEST_P(StoreTokensTest, ReplaceNamedTokenRevokesTheLiveOneAndStoresTheNewOneTogether) {
  TokenRecord initial = MakeToken('a', Role::kAdmin, "", 100);
  initial.name = "admin";
  ASSERT_TRUE(store_->PutToken(initial).ok());
  TokenRecord rotated = MakeToken('b', Role::kAdmin, "", 500);
  rotated.name = "admin";
  ASSERT_TRUE(store_->ReplaceNamedToken(rotated).ok());
  EXPECT_FALSE(store_->FindToken(initial.sha256_hex)->has_value());
  EXPECT_TRUE(store_->FindToken(rotated.sha256_hex)->has_value());
  EXPECT_EQ(store_->GetToken(initial.id)->revoked_at_ms, 500);

  // A failed replacement (the new hash is already stored) leaves the live token live.
  TokenRecord again = rotated;
  again.created_at_ms = 600;
  EXPECT_EQ(store_->ReplaceNamedToken(again).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(store_->FindToken(rotated.sha256_hex)->has_value());

  TokenRecord unnamed = MakeToken('c', Role::kAdmin, "", 700);
  EXPECT_EQ(store_->ReplaceNamedToken(unnamed).code(), Code::kInvalidArgument);
}

TEST_P(StoreTokensTest, TouchKeepsTheLatestUse) {
  const TokenRecord t = MakeToken('a', Role::kTenant, "acme", 1);
  ASSERT_TRUE(store_->PutToken(t).ok());
  ASSERT_TRUE(store_->TouchToken(t.id, 5000).ok());
  ASSERT_TRUE(store_->TouchToken(t.id, 4000).ok());  // an older use arriving late
  EXPECT_EQ(store_->GetToken(t.id)->last_used_at_ms, 5000);
  EXPECT_EQ(store_->TouchToken("tok_0000000000000000", 1).code(), Code::kNotFound);
  // Another connection (process) sees what was written.
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->GetToken(t.id)->last_used_at_ms, 5000);
}

// The migration to token roles revokes the admin tokens stored before it (they were minted at
// every start and printed to the log) and keeps tenant tokens live with their ids.
TEST_P(StoreTokensTest, MigrationRevokesLegacyAdminTokensAndKeepsTenantTokens) {
  const TokenRecord admin = MakeToken('a', Role::kAdmin, "", 1);
  const TokenRecord tenant = MakeToken('b', Role::kTenant, "acme", 2);
  ASSERT_TRUE(store_->PutToken(admin).ok());
  ASSERT_TRUE(store_->PutToken(tenant).ok());
  store_.reset();
  ASSERT_TRUE(backend_
                  ->Query("DELETE FROM schema_migrations WHERE version >= (SELECT version FROM "
                          "schema_migrations WHERE name = 'token roles, ids, names and expiry')")
                  .ok());
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_FALSE(store_->FindToken(admin.sha256_hex)->has_value());
  EXPECT_TRUE(store_->GetToken(admin.id)->revoked);
  Result<std::optional<TokenRecord>> kept = store_->FindToken(tenant.sha256_hex);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ(**kept, tenant);
}

}  // namespace
}  // namespace gpufleet::store
