// The Store contract, checked the same way on every back end: records, jobs, pagination, the
// state machine, scheduling, fencing, event filters, idempotency and migrations. Concurrency,
// leadership and process death are in store_concurrency_test.cc; back-end-specific behaviour
// (files, WAL, durability, connections) in sqlite_*_test.cc and postgres_*_test.cc.

#include <cstdint>
#include <string>
#include <vector>

#include "store/store_conformance_fixture.h"

namespace gpufleet::store {
namespace {

using Code = Status::Code;

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, StoreBackendNames(), BackendTestName);

TEST_P(StoreConformanceTest, TenantRoundTripAndUpdateKeepsCreatedAt) {
  Result<TenantRecord> got = store_->GetTenant("acme");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, MakeTenant("acme"));

  TenantRecord changed = MakeTenant("acme");
  changed.name = "Acme Resale";
  changed.external = true;
  changed.priority = 9;
  changed.max_job_priority = 12;
  changed.created_at_ms = 999999;
  ASSERT_TRUE(store_->PutTenant(changed).ok());
  got = store_->GetTenant("acme");
  ASSERT_TRUE(got.ok());
  changed.created_at_ms = 1000;
  EXPECT_EQ(*got, changed);

  Result<std::vector<TenantRecord>> all = store_->ListTenants();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "acme");
  EXPECT_EQ((*all)[1], MakeTenant("beta"));
  EXPECT_EQ(store_->GetTenant("nobody").status().code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, TenantJobPriorityCapDefaultsRoundTripsAndIsNeverNegative) {
  EXPECT_EQ(store_->GetTenant("beta")->max_job_priority, kDefaultMaxJobPriority);
  TenantRecord capped = MakeTenant("beta");
  capped.max_job_priority = 0;
  ASSERT_TRUE(store_->PutTenant(capped).ok());
  EXPECT_EQ(store_->GetTenant("beta")->max_job_priority, 0);
  capped.max_job_priority = INT32_MAX;
  ASSERT_TRUE(store_->PutTenant(capped).ok());
  EXPECT_EQ(store_->ListTenants()->at(1).max_job_priority, INT32_MAX);

  capped.max_job_priority = -1;
  const Status negative = store_->PutTenant(capped);
  EXPECT_EQ(negative.code(), Code::kInvalidArgument);
  EXPECT_NE(negative.message().find("max_job_priority"), std::string::npos) << negative.message();
  EXPECT_EQ(store_->GetTenant("beta")->max_job_priority, INT32_MAX);
}

// A database from before the cap existed: dropping the column and forgetting the migration
// that added it, then reopening, must add it back with every existing tenant at the default.
TEST_P(StoreConformanceTest, MigrationGivesExistingTenantsTheDefaultJobPriorityCap) {
  TenantRecord capped = MakeTenant("acme");
  capped.max_job_priority = 3;
  ASSERT_TRUE(store_->PutTenant(capped).ok());
  store_.reset();
  ASSERT_TRUE(backend_->Query("ALTER TABLE tenants DROP COLUMN max_job_priority").ok());
  // Forgetting it forgets every later migration too (they run again, as they can).
  ASSERT_TRUE(backend_
                  ->Query("DELETE FROM schema_migrations WHERE version >= (SELECT version FROM "
                          "schema_migrations WHERE name = 'tenants cap their jobs'' priority')")
                  .ok());
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  const Result<TenantRecord> acme = store_->GetTenant("acme");
  ASSERT_TRUE(acme.ok()) << acme.status().ToString();
  EXPECT_EQ(acme->max_job_priority, kDefaultMaxJobPriority);
  EXPECT_EQ(acme->priority, capped.priority);
  EXPECT_EQ(acme->name, capped.name);
}

TEST_P(StoreConformanceTest, QuotasRoundTripPerTenantAndAll) {
  ASSERT_TRUE(store_->SetQuota({.tenant = "acme", .model = "h100", .guaranteed_gpus = 8}).ok());
  ASSERT_TRUE(store_->SetQuota({.tenant = "acme", .model = "a100", .guaranteed_gpus = 4}).ok());
  ASSERT_TRUE(store_->SetQuota({.tenant = "beta", .model = "h100", .guaranteed_gpus = 2}).ok());
  ASSERT_TRUE(store_->SetQuota({.tenant = "acme", .model = "h100", .guaranteed_gpus = 16}).ok());

  Result<std::vector<QuotaRecord>> acme = store_->ListQuotas("acme");
  ASSERT_TRUE(acme.ok());
  const std::vector<QuotaRecord> want_acme = {{"acme", "a100", 4}, {"acme", "h100", 16}};
  EXPECT_EQ(*acme, want_acme);
  Result<std::vector<QuotaRecord>> all = store_->ListQuotas(std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2], (QuotaRecord{"beta", "h100", 2}));

  EXPECT_EQ(store_->SetQuota({"nobody", "h100", 1}).code(), Code::kInvalidArgument);
  const Status negative = store_->SetQuota({"acme", "h100", -1});
  EXPECT_EQ(negative.code(), Code::kInvalidArgument);
  EXPECT_EQ(negative.message().rfind("guaranteed_gpus", 0), 0u) << negative.message();
  acme = store_->ListQuotas("acme");
  ASSERT_TRUE(acme.ok());
  EXPECT_EQ(*acme, want_acme);
}

TEST_P(StoreConformanceTest, SubmittedJobRoundTripsAndLogsAnEvent) {
  JobSpec spec = MakeSpec("acme", "train-1");
  spec.idempotency_key = "k1";
  spec.models = {};
  Result<JobRecord> job = store_->SubmitJob(spec);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_GT(job->id.value(), 0u);
  EXPECT_EQ(job->spec, spec);
  EXPECT_EQ(job->state, JobState::kPending);

  Result<JobRecord> got = store_->GetJob(job->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *job);
  EXPECT_EQ(store_->GetJob(JobId(job->id.value() + 1)).status().code(), Code::kNotFound);

  const std::vector<EventRecord> events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "submitted");
  EXPECT_EQ(events[0].job, job->id);
  EXPECT_EQ(events[0].at_ms, spec.submitted_at_ms);

  const JobRecord second = Submit("acme", "train-2");
  EXPECT_GT(second.id, job->id);
  EXPECT_EQ(store_->GetJob(second.id)->spec.models, (std::vector<std::string>{"h100", "a100"}));
}

TEST_P(StoreConformanceTest, CursorWalksEveryJobExactlyOnceWithFilters) {
  std::vector<JobId> acme_ids;
  std::vector<JobId> all_ids;
  for (int i = 0; i < 23; ++i) {
    const std::string tenant = i % 3 == 0 ? "beta" : "acme";
    const JobRecord job = Submit(tenant, "job-" + std::to_string(i));
    all_ids.push_back(job.id);
    if (tenant == "acme") acme_ids.push_back(job.id);
  }
  ASSERT_TRUE(store_->CancelJob(acme_ids[1], 10).ok());
  ASSERT_TRUE(store_->CancelJob(all_ids[0], 10).ok());  // beta's

  auto walk = [&](JobFilter filter) {
    std::vector<JobId> seen;
    for (int pages = 0; pages < 100; ++pages) {
      Result<JobPage> page = store_->ListJobs(filter);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->jobs.size(), static_cast<size_t>(filter.limit));
      for (const JobRecord& j : page->jobs) {
        seen.push_back(j.id);
        if (filter.tenant.has_value()) {
          EXPECT_EQ(j.spec.tenant, *filter.tenant);
        }
        if (filter.state.has_value()) {
          EXPECT_EQ(j.state, *filter.state);
        }
      }
      if (!page->next.has_value()) break;
      EXPECT_EQ(page->jobs.size(), static_cast<size_t>(filter.limit));
      filter.after = *page->next;
    }
    return seen;
  };

  EXPECT_EQ(walk({.tenant = {}, .state = {}, .after = JobId(0), .limit = 5}), all_ids);
  EXPECT_EQ(walk({.tenant = {}, .state = {}, .after = JobId(0), .limit = 23}), all_ids);
  EXPECT_EQ(walk({.tenant = "acme", .state = {}, .after = JobId(0), .limit = 4}), acme_ids);
  const std::vector<JobId> cancelled = {all_ids[0], acme_ids[1]};
  EXPECT_EQ(walk({.tenant = {}, .state = JobState::kCancelled, .after = JobId(0), .limit = 1}),
            cancelled);
  EXPECT_EQ(walk({.tenant = "beta", .state = JobState::kCancelled, .after = JobId(0), .limit = 7}),
            std::vector<JobId>{all_ids[0]});
  const std::vector<JobId> tail(all_ids.begin() + 20, all_ids.end());
  EXPECT_EQ(walk({.tenant = {}, .state = {}, .after = all_ids[19], .limit = 2}), tail);

  for (int32_t limit : {0, kMaxPageSize + 1}) {
    Result<JobPage> page =
        store_->ListJobs({.tenant = {}, .state = {}, .after = {}, .limit = limit});
    EXPECT_EQ(page.status().code(), Code::kInvalidArgument);
  }
}

TEST_P(StoreConformanceTest, CancelAndCompleteOnlyFromPendingOrRunning) {
  const JobRecord a = Submit("acme", "a");
  const JobRecord b = Submit("acme", "b");
  Result<JobRecord> cancelled = store_->CancelJob(a.id, 20);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().ToString();
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  EXPECT_EQ(cancelled->finished_at_ms, 20);
  EXPECT_EQ(store_->CancelJob(a.id, 21).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->CompleteJob(a.id, 21).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->CancelJob(JobId(999), 21).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetJob(a.id)->finished_at_ms, 20);

  // Running -> completed frees the placements.
  Schedule s = AtEpoch(Lead());
  s.starts.push_back({.job = b.id, .placements = TwoReplicas(), .started_at_ms = 30});
  ASSERT_TRUE(store_->ApplySchedule(s).ok());
  ASSERT_EQ(store_->GetJob(b.id)->placements.size(), 2u);
  Result<JobRecord> completed = store_->CompleteJob(b.id, 40);
  ASSERT_TRUE(completed.ok());
  EXPECT_EQ(completed->state, JobState::kCompleted);
  EXPECT_TRUE(completed->placements.empty());
  EXPECT_EQ(completed->started_at_ms, 30);
  EXPECT_EQ(store_->CancelJob(b.id, 41).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Events().back().kind, "completed");
}

TEST_P(StoreConformanceTest, ActiveChangesSinceACursorAreTheApiChangesOnly) {
  const JobRecord a = Submit("acme", "a");
  const JobRecord b = Submit("acme", "b");
  Result<ActiveChanges> all = store_->LoadActiveChanges(std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->jobs.size(), 2u);
  EXPECT_EQ(all->jobs[0], *store_->GetJob(a.id));
  EXPECT_GT(all->cursor, 0);

  // Nothing since: nothing back, the cursor stays.
  Result<ActiveChanges> none = store_->LoadActiveChanges(all->cursor);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->jobs.empty());
  EXPECT_EQ(none->cursor, all->cursor);

  // The scheduler's own writes (a start, a finish) are not reported; a submission, a
  // cancellation and a completion are, in their current state.
  const int64_t epoch = Lead();
  Schedule s = AtEpoch(epoch);
  s.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 10});
  s.starts.push_back({.job = b.id, .placements = TwoReplicas(), .started_at_ms = 10});
  ASSERT_TRUE(store_->ApplySchedule(s).ok());
  Schedule finish = AtEpoch(epoch);
  finish.finishes.push_back({.job = b.id, .finished_at_ms = 20});
  ASSERT_TRUE(store_->ApplySchedule(finish).ok());
  EXPECT_EQ(Events().back().kind, "finished");
  Result<ActiveChanges> own = store_->LoadActiveChanges(none->cursor);
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->jobs.empty());
  EXPECT_GT(own->cursor, none->cursor);

  const JobRecord c = Submit("beta", "c");
  const JobRecord d = Submit("beta", "d");
  ASSERT_TRUE(store_->CancelJob(d.id, 30).ok());
  ASSERT_TRUE(store_->CompleteJob(a.id, 31).ok());
  Result<ActiveChanges> api = store_->LoadActiveChanges(own->cursor);
  ASSERT_TRUE(api.ok());
  ASSERT_EQ(api->jobs.size(), 3u);
  EXPECT_EQ(api->jobs[0].id, a.id);
  EXPECT_EQ(api->jobs[0].state, JobState::kCompleted);
  EXPECT_EQ(api->jobs[1], *store_->GetJob(c.id));
  EXPECT_EQ(api->jobs[2].state, JobState::kCancelled);
  EXPECT_EQ(api->cursor, Events().back().id);
}

TEST_P(StoreConformanceTest, ScheduleStartsPreemptsFinishesAndSkipsStaleDecisions) {
  const JobRecord a = Submit("acme", "a");
  const JobRecord b = Submit("acme", "b");
  const JobRecord c = Submit("beta", "c");
  ASSERT_TRUE(store_->CancelJob(c.id, 5).ok());  // cancelled after the pass read it
  const int64_t epoch = Lead();

  Schedule s = AtEpoch(epoch);
  s.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 100});
  s.starts.push_back({.job = c.id, .placements = TwoReplicas(), .started_at_ms = 100});
  s.pending_reasons.push_back({.job = b.id, .reason = "no capacity", .at_ms = 100});
  Result<ScheduleOutcome> out = store_->ApplySchedule(s);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->skipped_starts, std::vector<JobId>{c.id});
  EXPECT_TRUE(out->skipped_pending.empty());

  Result<JobRecord> got = store_->GetJob(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, JobState::kRunning);
  EXPECT_EQ(got->started_at_ms, 100);
  std::vector<Placement> want = TwoReplicas();
  for (Placement& p : want) p.epoch = epoch;
  EXPECT_EQ(got->placements, want);
  EXPECT_EQ(store_->GetJob(b.id)->pending_reason, "no capacity");
  EXPECT_EQ(store_->GetJob(c.id)->state, JobState::kCancelled);
  EXPECT_TRUE(store_->GetJob(c.id)->placements.empty());

  Result<std::vector<JobRecord>> active = store_->LoadActive();
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0], *got);
  EXPECT_EQ((*active)[1].id, b.id);

  // The same pending reason again logs no new event.
  const size_t events_before = Events().size();
  Schedule again = AtEpoch(epoch);
  again.pending_reasons.push_back({.job = b.id, .reason = "no capacity", .at_ms = 200});
  ASSERT_TRUE(store_->ApplySchedule(again).ok());
  EXPECT_EQ(Events().size(), events_before);

  Schedule preempt = AtEpoch(epoch);
  // Quotes, a backslash, braces and commas, as an array literal must carry them.
  const std::string reason = R"(higher "priority", {a\b})";
  preempt.preemptions.push_back({.job = a.id, .reason = reason, .at_ms = 300});
  preempt.preemptions.push_back({.job = b.id, .reason = "not running", .at_ms = 300});
  // Twice in one schedule: the second finds it pending (in order, as if one at a time).
  preempt.preemptions.push_back({.job = a.id, .reason = "again", .at_ms = 300});
  out = store_->ApplySchedule(preempt);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->skipped_preemptions, (std::vector<JobId>{b.id, a.id}));
  got = store_->GetJob(a.id);
  EXPECT_EQ(got->state, JobState::kPending);
  EXPECT_EQ(got->preempted_count, 1);
  EXPECT_EQ(got->last_preemption_reason, reason);
  EXPECT_TRUE(got->placements.empty());
  EXPECT_EQ(Events().back().kind, "preempted");
  EXPECT_EQ(Events().back().detail, reason);

  Schedule restart = AtEpoch(epoch);
  restart.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 400});
  restart.finishes.push_back({.job = b.id, .finished_at_ms = 400});  // b is pending
  out = store_->ApplySchedule(restart);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->skipped_finishes, std::vector<JobId>{b.id});
  Schedule finish = AtEpoch(epoch);
  finish.finishes.push_back({.job = a.id, .finished_at_ms = 500});
  ASSERT_TRUE(store_->ApplySchedule(finish).ok());
  got = store_->GetJob(a.id);
  EXPECT_EQ(got->state, JobState::kCompleted);
  EXPECT_EQ(got->finished_at_ms, 500);
  EXPECT_TRUE(got->placements.empty());
}

// A running job drains (it runs on, with a deadline and a reason, and an event says so),
// stops draining when its hardware comes back, and a preemption or a new start clears both;
// a pending job cannot drain.
TEST_P(StoreConformanceTest, DrainsAreKeptUntilAPreemptionOrAStartClearsThem) {
  const JobRecord a = Submit("acme", "a");
  const JobRecord b = Submit("acme", "b");
  const int64_t epoch = Lead();
  Schedule start = AtEpoch(epoch);
  start.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 100});
  ASSERT_TRUE(store_->ApplySchedule(start).ok());

  Schedule drain = AtEpoch(epoch);
  drain.drains.push_back(
      {.job = a.id, .until_ms = 5'000, .reason = "asset X quarantined by R", .at_ms = 200});
  drain.drains.push_back({.job = b.id, .until_ms = 5'000, .reason = "pending", .at_ms = 200});
  Result<ScheduleOutcome> out = store_->ApplySchedule(drain);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->skipped_drains, std::vector<JobId>{b.id});
  Result<JobRecord> got = store_->GetJob(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, JobState::kRunning);
  EXPECT_EQ(got->draining_until_ms, 5'000);
  EXPECT_EQ(got->draining_reason, "asset X quarantined by R");
  EXPECT_EQ(got->placements.size(), 2u) << "it runs on where it was";
  EXPECT_EQ(Events().back().kind, "draining");
  EXPECT_EQ(Events().back().detail, "asset X quarantined by R");
  Result<std::vector<JobRecord>> active = store_->LoadActive();
  ASSERT_TRUE(active.ok());
  EXPECT_EQ((*active)[0], *got);

  Schedule back = AtEpoch(epoch);
  back.drains.push_back({.job = a.id, .until_ms = 0, .reason = "", .at_ms = 300});
  ASSERT_TRUE(store_->ApplySchedule(back).ok());
  EXPECT_EQ(store_->GetJob(a.id)->draining_until_ms, 0);
  EXPECT_EQ(Events().back().kind, "undrained");

  ASSERT_TRUE(store_->ApplySchedule(drain).ok());
  Schedule preempt = AtEpoch(epoch);
  preempt.preemptions.push_back({.job = a.id, .reason = "grace ended", .at_ms = 5'000});
  ASSERT_TRUE(store_->ApplySchedule(preempt).ok());
  got = store_->GetJob(a.id);
  EXPECT_EQ(got->state, JobState::kPending);
  EXPECT_EQ(got->draining_until_ms, 0);
  EXPECT_EQ(got->draining_reason, "");
}

TEST_P(StoreConformanceTest, MalformedStartWritesNothing) {
  const JobRecord a = Submit("acme", "a");
  const JobRecord b = Submit("acme", "b");
  Schedule s = AtEpoch(Lead());
  s.pending_reasons.push_back({.job = b.id, .reason = "waiting", .at_ms = 1});
  s.starts.push_back({.job = a.id, .placements = {TwoReplicas()[0]}, .started_at_ms = 1});
  const size_t events_before = Events().size();
  Result<ScheduleOutcome> out = store_->ApplySchedule(s);
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(out.status().message().rfind("placements", 0), 0u) << out.status().message();
  EXPECT_EQ(store_->GetJob(a.id)->state, JobState::kPending);
  EXPECT_EQ(store_->GetJob(b.id)->pending_reason, "");
  EXPECT_EQ(Events().size(), events_before);

  s.starts[0].placements = TwoReplicas();
  s.starts[0].placements[1].replica = 5;
  EXPECT_EQ(store_->ApplySchedule(s).status().code(), Code::kInvalidArgument);
  s.starts[0].placements[1].replica = 0;  // twice
  EXPECT_EQ(store_->ApplySchedule(s).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->GetJob(a.id)->state, JobState::kPending);
  EXPECT_EQ(Events().size(), events_before);
}

TEST_P(StoreConformanceTest, OlderEpochIsFencedAndWritesNothing) {
  const JobRecord a = Submit("acme", "a");
  Result<int64_t> first = store_->AcquireEpoch("sched-1", 10);
  Result<int64_t> second = store_->AcquireEpoch("sched-2", 11);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*second, *first + 1);
  const size_t events_before = Events().size();

  Schedule stale = AtEpoch(*first);
  stale.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 20});
  stale.pending_reasons.push_back({.job = a.id, .reason = "stale", .at_ms = 20});
  Result<ScheduleOutcome> out = store_->ApplySchedule(stale);
  EXPECT_EQ(out.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(out.status().message(),
            "fenced: epoch " + std::to_string(*first) + " < " + std::to_string(*second));
  Result<JobRecord> got = store_->GetJob(a.id);
  EXPECT_EQ(got->state, JobState::kPending);
  EXPECT_EQ(got->pending_reason, "");
  EXPECT_TRUE(got->placements.empty());
  EXPECT_EQ(Events().size(), events_before);

  Schedule future = stale;
  future.epoch = *second + 1;  // never acquired
  EXPECT_EQ(store_->ApplySchedule(future).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store_->GetJob(a.id)->state, JobState::kPending);

  Schedule current = stale;
  current.epoch = *second;
  current.pending_reasons.clear();
  ASSERT_TRUE(store_->ApplySchedule(current).ok());
  got = store_->GetJob(a.id);
  EXPECT_EQ(got->state, JobState::kRunning);
  ASSERT_EQ(got->placements.size(), 2u);
  EXPECT_EQ(got->placements[0].epoch, *second);
}

TEST_P(StoreConformanceTest, IdempotencyKeyReturnsTheExistingJobPerTenant) {
  JobSpec spec = MakeSpec("acme", "once");
  spec.idempotency_key = "retry-1";
  Result<JobRecord> first = store_->SubmitJob(spec);
  ASSERT_TRUE(first.ok());
  JobSpec retry = spec;
  retry.name = "renamed on retry";
  Result<JobRecord> again = store_->SubmitJob(retry);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->spec.name, "once");

  JobSpec other = spec;
  other.tenant = "beta";
  Result<JobRecord> beta = store_->SubmitJob(other);
  ASSERT_TRUE(beta.ok());
  EXPECT_NE(beta->id, first->id);
  Result<JobPage> page = store_->ListJobs({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->jobs.size(), 2u);
}

// Each invalid field is rejected with a message naming it, and nothing is written.
TEST_P(StoreConformanceTest, InvalidSpecFieldsAreRejectedByName) {
  struct Case {
    const char* field;
    void (*mutate)(JobSpec&);
  };
  const Case cases[] = {
      {"tenant", [](JobSpec& s) { s.tenant = "nobody"; }},
      {"tenant", [](JobSpec& s) { s.tenant = "Bad_Slug"; }},
      {"name", [](JobSpec& s) { s.name = ""; }},
      {"name", [](JobSpec& s) { s.name = std::string(kMaxTextLength + 1, 'x'); }},
      {"data_class", [](JobSpec& s) { s.data_class = ""; }},
      {"models", [](JobSpec& s) { s.models = {"h100|a100"}; }},
      {"models", [](JobSpec& s) { s.models = {""}; }},
      {"models",
       [](JobSpec& s) {
         s.models = {"h100", "h100"};
       }},
      {"gpu_count", [](JobSpec& s) { s.gpu_count = -1; }},
      {"gpu_count", [](JobSpec& s) { s.gpu_count = kMaxGpusPerReplica + 1; }},
      {"gpu_milli", [](JobSpec& s) { s.gpu_milli = 0; }},
      {"gpu_milli", [](JobSpec& s) { s.gpu_milli = 1001; }},
      {"gpu_milli", [](JobSpec& s) { s.gpu_milli = 500; }},  // shared GPU with gpu_count 2
      {"gpu_milli", [](JobSpec& s) { s.gpu_count = 0; }},    // CPU-only with gpu_milli 1000
      {"replicas", [](JobSpec& s) { s.replicas = 0; }},
      {"replicas", [](JobSpec& s) { s.replicas = kMaxReplicas + 1; }},
      {"cpu_milli", [](JobSpec& s) { s.cpu_milli = -1; }},
      {"memory_mib", [](JobSpec& s) { s.memory_mib = -1; }},
      {"duration_s", [](JobSpec& s) { s.duration_s = -1; }},
      {"submitted_at_ms", [](JobSpec& s) { s.submitted_at_ms = -1; }},
      {"idempotency_key", [](JobSpec& s) { s.idempotency_key = ""; }},
  };
  for (const Case& c : cases) {
    JobSpec spec = MakeSpec("acme", "bad");
    c.mutate(spec);
    Result<JobRecord> job = store_->SubmitJob(spec);
    ASSERT_FALSE(job.ok()) << c.field;
    EXPECT_EQ(job.status().code(), Code::kInvalidArgument) << c.field;
    EXPECT_EQ(job.status().message().rfind(std::string(c.field) + ":", 0), 0u)
        << c.field << " -> " << job.status().message();
  }
  Result<JobPage> page = store_->ListJobs({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->jobs.empty());
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(store_->Stats().submit_transactions, 0u);

  const Status bad_tenant = store_->PutTenant(MakeTenant("Has Space"));
  EXPECT_EQ(bad_tenant.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad_tenant.message().rfind("id:", 0), 0u) << bad_tenant.message();
  TenantRecord unnamed = MakeTenant("gamma");
  unnamed.name = "";
  EXPECT_EQ(store_->PutTenant(unnamed).code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->ListTenants()->size(), 2u);
  EXPECT_EQ(
      store_->ListEvents({.after_id = 0, .limit = 0, .tenant = {}, .job = {}}).status().code(),
      Code::kInvalidArgument);
}

TEST_P(StoreConformanceTest, ReopeningMigratesOnceAndNewerSchemaIsRefused) {
  const Result<std::string> versions_before =
      backend_->Query("SELECT COUNT(*) || ' ' || MAX(version) FROM schema_migrations");
  ASSERT_TRUE(versions_before.ok()) << versions_before.status().ToString();
  store_.reset();
  store_ = Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(store_->GetTenant("acme").ok());
  store_.reset();
  const Result<std::string> versions_after =
      backend_->Query("SELECT COUNT(*) || ' ' || MAX(version) FROM schema_migrations");
  ASSERT_TRUE(versions_after.ok());
  EXPECT_EQ(*versions_after, *versions_before);

  ASSERT_TRUE(
      backend_
          ->Query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')")
          .ok());
  Result<std::unique_ptr<Store>> newer = backend_->Open();
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("99"), std::string::npos) << newer.status().message();
}

TEST_P(StoreConformanceTest, EventsFilterByTenantAndJobAndCarryTheJobsTenant) {
  const JobRecord a = Submit("acme", "a");
  const JobRecord b = Submit("beta", "b");
  const JobRecord c = Submit("acme", "c");
  Schedule s = AtEpoch(Lead());
  s.starts.push_back({.job = a.id, .placements = TwoReplicas(), .started_at_ms = 10});
  ASSERT_TRUE(store_->ApplySchedule(s).ok());
  ASSERT_TRUE(store_->CancelJob(b.id, 20).ok());

  const std::vector<EventRecord> all = Events();
  ASSERT_EQ(all.size(), 6u);  // 3 submitted, epoch, started, cancelled
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].id, all[i - 1].id);
  for (const EventRecord& e : all) {
    if (e.kind == "epoch") {
      EXPECT_EQ(e.tenant, "");
      EXPECT_FALSE(e.job.has_value());
    } else {
      ASSERT_TRUE(e.job.has_value()) << e.kind;
      EXPECT_EQ(e.tenant, *e.job == b.id ? "beta" : "acme") << e.kind;
    }
  }

  auto kinds = [&](EventFilter f) {
    std::vector<std::string> out;
    for (const EventRecord& e : Events(f))
      out.push_back(e.kind + ":" + std::to_string(e.job->value()));
    return out;
  };
  const std::string ja = std::to_string(a.id.value());
  const std::string jb = std::to_string(b.id.value());
  const std::string jc = std::to_string(c.id.value());
  EXPECT_EQ(kinds({.after_id = 0, .limit = 100, .tenant = "acme", .job = {}}),
            (std::vector<std::string>{"submitted:" + ja, "submitted:" + jc, "started:" + ja}));
  EXPECT_EQ(kinds({.after_id = 0, .limit = 100, .tenant = "beta", .job = {}}),
            (std::vector<std::string>{"submitted:" + jb, "cancelled:" + jb}));
  EXPECT_EQ(kinds({.after_id = 0, .limit = 100, .tenant = {}, .job = a.id}),
            (std::vector<std::string>{"submitted:" + ja, "started:" + ja}));
  EXPECT_TRUE(kinds({.after_id = 0, .limit = 100, .tenant = "acme", .job = b.id}).empty());
  EXPECT_TRUE(kinds({.after_id = 0, .limit = 100, .tenant = "nobody", .job = {}}).empty());

  // Paging one event at a time with the cursor visits the same events in the same order.
  std::vector<EventRecord> paged;
  for (int64_t after = 0;;) {
    const std::vector<EventRecord> page =
        Events({.after_id = after, .limit = 1, .tenant = {}, .job = {}});
    if (page.empty()) break;
    ASSERT_EQ(page.size(), 1u);
    paged.push_back(page[0]);
    after = page[0].id;
  }
  EXPECT_EQ(paged, all);
  EXPECT_EQ(store_->ListEvents({.after_id = 0, .limit = kMaxPageSize + 1, .tenant = {}, .job = {}})
                .status()
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace gpufleet::store
