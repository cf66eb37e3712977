// A small DRUP checker: reverse unit propagation with two watched literals, deletions
// honoured, backward core-first checking (docs/certificates.md, "Checking the proof").
//
// The method is the one of Heule, Hunt & Wetzler, "Trimming while checking clausal proofs"
// (FMCAD 2013) and Wetzler, Heule & Hunt, "DRAT-trim" (SAT 2014): a forward pass adds every
// clause (no checks) until the clauses propagate to a conflict at the root; the clauses that
// conflict used are marked; a backward pass then removes the lemmas again, newest first, and
// checks by RUP only the marked ones, marking in turn the clauses each check's conflict used.
// Written for smtsched from the papers; no code of drat-trim or of CaDiCaL.
//
// Soundness in one sentence: every clause the checker ever propagates with is one of the
// formula's or a lemma that is present at that time, and every lemma a propagation used is
// checked by RUP against the clauses present before it was added. Honouring a deletion only
// removes clauses, so it can make the checker reject, never accept, more.
#ifndef SMTSCHED_DRUP_HPP
#define SMTSCHED_DRUP_HPP

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace smtsched_drup {

// INTERNAL: the checker's own invariant broke (a root conflict where the forward pass met
// none); the caller treats it as a rejection, never as an acceptance.
enum Result { ACCEPTED = 0, NOT_RUP = 1, NO_CONFLICT = 2, INTERNAL = 3 };

class Checker {
 public:
  Checker();

  // Input: the formula (problem.cnf, the lemmas, the assumption units), then the proof's
  // steps. Literals are DIMACS integers (non-zero).
  void add_formula(const int* lits, int n);
  void add_step(long long line, bool deleted, const int* lits, int n);
  // Reads a text DRUP file itself (the common case, fast). Returns false, with no step
  // kept, when the file holds anything the checker's Python reader (files.proof_steps)
  // should judge: a syntax error, a literal beyond max_var, a byte outside plain ASCII
  // digits, signs, 'd', comments and blanks, '\r'. `stop_at_empty`: keep the steps up to the
  // first empty clause only. `saw_empty` tells afterwards whether there was one.
  bool load_file(const std::string& path, long long max_var, bool stop_at_empty);
  void clear_steps();

  // Checks the steps against the formula. `final`: the proof must reach a conflict; then
  // the check is backward and core-first, unless `forward` (every added clause checked in
  // order, as without `final`: the first line that is not RUP is the one reported).
  // `honour_deletions`: apply 'd' lines (except those of unit and reason clauses).
  int run(bool final, bool honour_deletions, bool forward = false);

  long long fail_line = 0;   // the proof line of a clause that is not RUP
  bool saw_empty = false;
  // statistics of the last run
  long long checked = 0, added = 0, deleted = 0, ignored_deletions = 0, rescans = 0;

 private:
  // -- the input, kept so that run() can be called again --------------------------------------
  std::vector<int> in_lits;           // all clauses' literals (DIMACS), formula then steps
  std::vector<int64_t> in_start;      // per clause, formula clauses first
  int n_formula = 0;
  std::vector<long long> step_line;   // per step
  std::vector<char> step_del;
  int max_var = 0;

  // -- the working state ------------------------------------------------------------------------
  // A watch holds the clause's place in `db` (so that propagation touches one cache line,
  // not three arrays) and a blocker literal; for a binary clause the blocker is the other
  // literal and the clause itself is not read at all.
  struct Watch { uint32_t ref; int blocker; bool binary; };
  // the clauses: [id, size, literals...] each; literals in internal code 2*v + (negative);
  // cstart[id] is the place of the first literal
  std::vector<int> db;
  std::vector<int64_t> cstart;
  std::vector<int> csize;
  std::vector<char> core, present;
  std::vector<uint64_t> chash;
  std::vector<int> next_same;         // chains of clauses with the same hash
  std::unordered_map<uint64_t, int> by_hash;
  // two watch lists per literal: the core clauses' and the others' (core-first propagation
  // scans each list once; a clause moves to the core lists when it is first marked)
  std::vector<std::vector<Watch>> watches[2];
  std::vector<int> units;             // present unit clauses (ids)
  std::vector<signed char> val;       // per internal literal: 1 true, -1 false, 0 open
  std::vector<int> reason, tpos;      // per variable
  std::vector<char> justified, seen;  // per variable
  std::vector<int> trail;
  size_t qhead = 0;
  std::vector<int> step_cls;          // per step: the clause added or deleted, -1 none
  std::vector<int> mark_lits;         // scratch, per internal literal

  static int code(int dimacs) { return dimacs > 0 ? 2 * dimacs : -2 * dimacs + 1; }
  static int neg(int l) { return l ^ 1; }
  static int var(int l) { return l >> 1; }

  void reset(int nclauses);
  int new_clause(const int* dimacs, int n);   // -1 for a tautology
  void assign(int lit, int why);
  void unassign_to(size_t pos);
  int attach(int c);                  // watch (or assign a unit); returns a conflict or -1
  void detach(int c);
  bool is_reason(int c) const { return reason_lit(c) >= 0; }
  int reason_lit(int c) const;        // the literal clause c is the root reason of, or -1
  enum { ALL, CORE, REST };
  int visit(size_t at, int which);
  int visit_list(int falsified, std::vector<std::vector<Watch>>& lists);
  void mark_core(int c);
  int clause_id(uint32_t ref) const { return db[ref - 2]; }
  int propagate();                    // returns a conflict clause or -1
  int propagate_core_first();
  int restore();                      // after unassign_to: units again, then every watch
  void analyze(int conflict_cls, int conflict_var);
  void justify(size_t root);          // the root variables analyze() walked: all marked
  std::vector<int> analyzed;
  bool check(int c, bool mark);       // RUP of clause c against the present clauses
  int find_copy(const int* lits, int n);
  void hash_insert(int c);
  void hash_remove(int c);
};

}  // namespace smtsched_drup

#endif
