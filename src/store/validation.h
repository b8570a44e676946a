#pragma once
// Checks on records before they are written, shared by every back end so that each rejects
// the same input with the same message. Each returns InvalidArgument naming the field.
// Existence checks (does the tenant exist) are the back end's, inside its transaction.

#include "gpufleet/status.h"
#include "gpufleet/store/store.h"

namespace gpufleet::store {

Status ValidateTenant(const TenantRecord& t);
Status ValidateQuota(const QuotaRecord& q);
Status ValidateToken(const TokenRecord& t);
Status ValidateJobSpec(const JobSpec& spec);
Status ValidateJobFilter(const JobFilter& f);
Status ValidateSchedule(const Schedule& s);

// A start's placements against its job's replica count: one per replica, each replica in range.
Status ValidateStartReplicas(const Schedule::Start& start, int64_t replicas);

// Entries numbered consecutively, each with a serial, kind and body; asset rows with a serial,
// a known status and a record.
Status ValidateInventoryAppend(const std::vector<InventoryEntry>& entries,
                               const std::vector<AssetRow>& assets);
Status ValidateInventoryRead(int64_t from, int32_t limit);
Status ValidateAssetFilter(const AssetFilter& filter);
// What every back end answers when the log has grown since the caller read its size.
Status InventoryRace(int64_t first_index, int64_t size);

// What every back end answers for a write naming a tenant it does not hold.
Status ValidateInventoryIndexes(const std::vector<int64_t>& indexes);
Status ValidateCheckpoint(const CheckpointRecord& checkpoint);
// A node name of 1..kMaxTextLength characters, a report of at most kMaxObservedReportBytes,
// times that are not negative.
Status ValidateObservedNode(const ObservedNodeRow& row);
Status CheckpointBeyondLog(int64_t size, int64_t log_size);
Status CheckpointTaken(int64_t size);
Status UnknownTenant(std::string_view tenant);

// '|'-joined catalog ids as stored, and back.
std::string JoinModels(const std::vector<std::string>& models);
std::vector<std::string> SplitModels(std::string_view joined);

}  // namespace gpufleet::store
