#pragma once
// A mixed-integer linear program in the plain form the planner builds and the COIN-OR
// solvers take: columns with bounds, objective and integrality; rows lb <= a.x <= ub. Kept
// apart from the planner's meaning so the formulation can be tested on its own and the solver
// swapped.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gpufleet::planner {

inline constexpr double kInfinity = 1e30;  // COIN-OR's infinity

struct LinearProgram {
  struct Column {
    std::string name;
    double lb = 0;
    double ub = kInfinity;
    double obj = 0;
    bool integer = false;
  };
  struct Row {
    std::string name;
    double lb = -kInfinity;
    double ub = kInfinity;
    std::vector<std::pair<int, double>> entries;  // column, coefficient
  };
  std::vector<Column> columns;
  std::vector<Row> rows;

  int AddColumn(std::string name, double lb, double ub, double obj, bool integer) {
    columns.push_back(Column{std::move(name), lb, ub, obj, integer});
    return static_cast<int>(columns.size()) - 1;
  }
  int AddRow(std::string name, double lb, double ub) {
    rows.push_back(Row{std::move(name), lb, ub, {}});
    return static_cast<int>(rows.size()) - 1;
  }
  void Add(int row, int column, double coefficient) {
    if (coefficient != 0) rows[static_cast<size_t>(row)].entries.emplace_back(column, coefficient);
  }
  // The value of row `row` at `x`.
  double Activity(int row, const std::vector<double>& x) const {
    double sum = 0;
    for (const auto& [c, a] : rows[static_cast<size_t>(row)].entries) {
      sum += a * x[static_cast<size_t>(c)];
    }
    return sum;
  }
};

enum class SolveStatus {
  kOptimal,     // proven within the gap asked for
  kFeasible,    // stopped by the time limit with a plan; the gap says how good
  kInfeasible,  // proven: no plan meets every constraint
  kNoSolution,  // stopped by the time limit before any plan was found
  kError,       // numerical trouble, or an unbounded model (a bug in the formulation)
};
std::string_view SolveStatusName(SolveStatus s);

struct MipSolution {
  SolveStatus status = SolveStatus::kError;
  std::vector<double> x;  // column values; empty without a plan
  double objective = 0;   // of x
  double bound = 0;       // best proven bound on the optimum (minimisation: a lower bound)
  double gap_pct = 0;     // 100 |objective - bound| / max(1, |objective|)
  double seconds = 0;     // wall time of the solve
  int nodes = 0;          // branch-and-bound nodes
  bool rounded = false;   // x is the rounded relaxation's, not CBC's
};

// The relative gap in percent between a plan's objective and a bound on the optimum:
// 100 |objective - bound| / max(1, |objective|), as MipSolution::gap_pct.
double GapPct(double objective, double bound);

// Minimises with CBC. `time_limit_s` > 0; stops once the relative gap is below `gap_pct`.
// `start`, when given, is a plan to begin from: its integer columns' values (CBC solves for
// the continuous ones and keeps the plan as its first incumbent when that is feasible).
MipSolution SolveMip(const LinearProgram& lp, double time_limit_s, double gap_pct,
                     const std::vector<double>* start = nullptr);

struct LpSolution {
  bool optimal = false;
  bool infeasible = false;  // proven: no point meets every row
  std::vector<double> x;
  std::vector<double> row_duals;  // d objective / d row bound, as Clp reports them
  double objective = 0;
};

// The LP relaxation (integrality dropped) of a program, kept loaded in Clp so that after its
// first solve it can be solved again from the optimal basis with the integer columns fixed:
// the planner's rounding heuristic, which is cheap because only the continuous columns move.
class Relaxation {
 public:
  explicit Relaxation(const LinearProgram& lp);
  ~Relaxation();
  Relaxation(const Relaxation&) = delete;
  Relaxation& operator=(const Relaxation&) = delete;

  // Minimises the relaxation.
  LpSolution Solve(double time_limit_s);
  // Fixes every integer column c at values[c] and re-solves (dual simplex from the current
  // basis). Not optimal when the fixing leaves no feasible point or time ran out. The
  // columns stay fixed: call after Solve's duals have been taken.
  LpSolution SolveFixed(const std::vector<double>& values, double time_limit_s);

 private:
  struct Model;
  const LinearProgram& lp_;
  std::unique_ptr<Model> model_;
};

// Minimises the LP relaxation once.
LpSolution SolveLpRelaxation(const LinearProgram& lp, double time_limit_s);

}  // namespace gpufleet::planner
