// LinearProgram to COIN-OR: CBC for the mixed-integer program, Clp for the LP relaxation
// whose row duals give shadow values. Both take the matrix column by column.

#include <Cbc_C_Interface.h>

#include <ClpSimplex.hpp>
#include <chrono>
#include <cmath>
#include <memory>

#include "planner/linear_program.h"

namespace gpufleet::planner {
namespace {

struct ColumnMajor {
  std::vector<CoinBigIndex> start;
  std::vector<int> index;
  std::vector<double> value;
  std::vector<double> col_lb, col_ub, obj, row_lb, row_ub;
};

ColumnMajor ToColumnMajor(const LinearProgram& lp) {
  ColumnMajor m;
  const size_t n = lp.columns.size();
  std::vector<CoinBigIndex> count(n, 0);
  for (const auto& row : lp.rows) {
    for (const auto& [c, a] : row.entries) ++count[static_cast<size_t>(c)];
  }
  m.start.assign(n + 1, 0);
  for (size_t c = 0; c < n; ++c) m.start[c + 1] = m.start[c] + count[c];
  m.index.resize(static_cast<size_t>(m.start[n]));
  m.value.resize(static_cast<size_t>(m.start[n]));
  std::vector<CoinBigIndex> next(m.start.begin(), m.start.end() - 1);
  for (size_t r = 0; r < lp.rows.size(); ++r) {
    for (const auto& [c, a] : lp.rows[r].entries) {
      const auto k = static_cast<size_t>(next[static_cast<size_t>(c)]++);
      m.index[k] = static_cast<int>(r);
      m.value[k] = a;
    }
  }
  for (const auto& col : lp.columns) {
    m.col_lb.push_back(col.lb);
    m.col_ub.push_back(col.ub);
    m.obj.push_back(col.obj);
  }
  for (const auto& row : lp.rows) {
    m.row_lb.push_back(row.lb);
    m.row_ub.push_back(row.ub);
  }
  return m;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

std::string_view SolveStatusName(SolveStatus s) {
  switch (s) {
    case SolveStatus::kOptimal:
      return "optimal";
    case SolveStatus::kFeasible:
      return "feasible";
    case SolveStatus::kInfeasible:
      return "infeasible";
    case SolveStatus::kNoSolution:
      return "no_solution";
    case SolveStatus::kError:
      return "error";
  }
  return "error";
}

double GapPct(double objective, double bound) {
  return 100.0 * std::abs(objective - bound) / std::max(1.0, std::abs(objective));
}

MipSolution SolveMip(const LinearProgram& lp, double time_limit_s, double gap_pct,
                     const std::vector<double>* start) {
  const auto started = std::chrono::steady_clock::now();
  const ColumnMajor m = ToColumnMajor(lp);
  std::unique_ptr<Cbc_Model, void (*)(Cbc_Model*)> model(Cbc_newModel(), Cbc_deleteModel);
  Cbc_loadProblem(model.get(), static_cast<int>(lp.columns.size()),
                  static_cast<int>(lp.rows.size()), m.start.data(), m.index.data(), m.value.data(),
                  m.col_lb.data(), m.col_ub.data(), m.obj.data(), m.row_lb.data(), m.row_ub.data());
  for (size_t c = 0; c < lp.columns.size(); ++c) {
    if (lp.columns[c].integer) Cbc_setInteger(model.get(), static_cast<int>(c));
  }
  Cbc_setLogLevel(model.get(), 0);
  Cbc_setMaximumSeconds(model.get(), time_limit_s);
  Cbc_setAllowableFractionGap(model.get(), gap_pct / 100.0);
  // No worker threads: results must not depend on timing, and CI machines have two cores.
  // "threads 0", not 1: CBC's "threads 1" already runs its threaded search with one worker,
  // and with CBC 2.10.8 the main thread then sometimes waits out the whole time limit before
  // returning a plan found at the root (PlanPropertyTest.RandomScenariosKeepEveryLimit took
  // 10.4 s instead of 0.4 s in 5 of 35 runs, on programs of 22-48 columns; none in 40 runs
  // with 0).
  Cbc_setParameter(model.get(), "threads", "0");
  // No CglPreProcess: with the order links per purchase column, the first plan within the
  // gap comes from a dive at the root, and preprocessing (its passes before the root, and
  // mapping the plan back afterwards) costs more than the smaller program saves: a third to
  // a half of the solve time of the generated benchmark instances (docs/benchmarks.md,
  // "Planner").
  Cbc_setParameter(model.get(), "preprocess", "off");
  // The time limit is the caller's wall clock, not CPU seconds (CBC's default): on a busy
  // machine CPU time runs slower and the limit was overrun by half.
  Cbc_setParameter(model.get(), "timeMode", "elapsed");
  if (start != nullptr) {
    std::vector<int> columns;
    std::vector<double> values;
    for (size_t c = 0; c < lp.columns.size(); ++c) {
      if (!lp.columns[c].integer) continue;
      columns.push_back(static_cast<int>(c));
      values.push_back((*start)[c]);
    }
    Cbc_setMIPStartI(model.get(), static_cast<int>(columns.size()), columns.data(), values.data());
  }
  Cbc_solve(model.get());

  MipSolution out;
  out.seconds = Seconds(started);
  out.nodes = Cbc_getNodeCount(model.get());
  const bool has_plan =
      Cbc_numberSavedSolutions(model.get()) > 0 || Cbc_isProvenOptimal(model.get()) != 0;
  if (Cbc_isProvenInfeasible(model.get()) != 0 && !has_plan) {
    out.status = SolveStatus::kInfeasible;
    return out;
  }
  if (!has_plan) {
    out.status = Cbc_isSecondsLimitReached(model.get()) != 0 ? SolveStatus::kNoSolution
                                                             : SolveStatus::kError;
    return out;
  }
  const double* x = Cbc_getColSolution(model.get());
  out.x.assign(x, x + lp.columns.size());
  out.objective = Cbc_getObjValue(model.get());
  out.bound = Cbc_getBestPossibleObjValue(model.get());
  if (Cbc_isProvenOptimal(model.get()) != 0 && out.bound > out.objective) {
    out.bound = out.objective;
  }
  out.gap_pct = GapPct(out.objective, out.bound);
  out.status = Cbc_isProvenOptimal(model.get()) != 0 || out.gap_pct <= gap_pct
                   ? SolveStatus::kOptimal
                   : SolveStatus::kFeasible;
  return out;
}

struct Relaxation::Model {
  ClpSimplex clp;
};

Relaxation::Relaxation(const LinearProgram& lp) : lp_(lp), model_(std::make_unique<Model>()) {
  const ColumnMajor m = ToColumnMajor(lp);
  ClpSimplex& clp = model_->clp;
  clp.loadProblem(static_cast<int>(lp.columns.size()), static_cast<int>(lp.rows.size()),
                  m.start.data(), m.index.data(), m.value.data(), m.col_lb.data(), m.col_ub.data(),
                  m.obj.data(), m.row_lb.data(), m.row_ub.data());
  clp.setLogLevel(0);
  // Perturbation always on (50) rather than Clp's automatic choice (100), as CBC sets it for
  // its own root LP: the planner's programs are highly degenerate (many equal costs and zero
  // right-hand sides), and perturbing takes 30-35% fewer iterations, 1.8-2.9x faster on
  // the benchmark instances. Clp removes the perturbation before it reports the optimum.
  clp.setPerturbation(50);
}

Relaxation::~Relaxation() = default;

namespace {

LpSolution Read(const ClpSimplex& clp, const LinearProgram& lp) {
  LpSolution out;
  out.optimal = clp.status() == 0;
  out.infeasible = clp.status() == 1;
  if (!out.optimal) return out;
  out.x.assign(clp.getColSolution(), clp.getColSolution() + lp.columns.size());
  out.row_duals.assign(clp.getRowPrice(), clp.getRowPrice() + lp.rows.size());
  out.objective = clp.objectiveValue();
  return out;
}

}  // namespace

LpSolution Relaxation::Solve(double time_limit_s) {
  ClpSimplex& clp = model_->clp;
  // Wall-clock seconds, as the caller's time limit (Clp's maximumSeconds counts CPU time).
  clp.setMaximumWallSeconds(time_limit_s);
  clp.initialSolve();
  return Read(clp, lp_);
}

LpSolution Relaxation::SolveFixed(const std::vector<double>& values, double time_limit_s) {
  ClpSimplex& clp = model_->clp;
  for (size_t c = 0; c < lp_.columns.size(); ++c) {
    if (!lp_.columns[c].integer) continue;
    clp.setColumnBounds(static_cast<int>(c), values[c], values[c]);
  }
  clp.setMaximumWallSeconds(time_limit_s);
  clp.dual();
  return Read(clp, lp_);
}

LpSolution SolveLpRelaxation(const LinearProgram& lp, double time_limit_s) {
  return Relaxation(lp).Solve(time_limit_s);
}

}  // namespace gpufleet::planner
