// The DRUP checker of drup.hpp. Invariants, as the code relies on them:
//  - between steps, the trail holds only root assignments, propagated to a fixpoint;
//  - a clause of two or more literals is watched on its first two literals; a root literal is
//    the first literal of the clause that is its reason (reason[var] names the clause);
//  - a clause that is the reason of a root literal, and any unit clause, is never deleted
//    (such deletions are ignored, as drat-trim does by default: keeping a clause is sound);
//  - after root assignments are taken back (a lemma that was a reason is removed in the
//    backward pass), restore() re-propagates from the first trail literal, so that the root
//    assignment is again the full fixpoint of the present clauses.
#include "drup.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace smtsched_drup {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: an order-free clause hash sums these
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Checker::Checker() {}

void Checker::add_formula(const int* lits, int n) {
  if (!step_line.empty()) throw std::logic_error("formula clauses come before the steps");
  int64_t start = in_lits.size();
  for (int i = 0; i < n; i++) {
    in_lits.push_back(lits[i]);
    max_var = std::max(max_var, std::abs(lits[i]));
  }
  in_start.push_back(start);
  n_formula++;
}

void Checker::add_step(long long line, bool is_deletion, const int* lits, int n) {
  in_start.push_back(in_lits.size());
  for (int i = 0; i < n; i++) {
    in_lits.push_back(lits[i]);
    max_var = std::max(max_var, std::abs(lits[i]));
  }
  step_line.push_back(line);
  step_del.push_back(is_deletion);
  if (!is_deletion && n == 0) saw_empty = true;
}

void Checker::clear_steps() {
  if ((size_t)n_formula < in_start.size()) {
    in_lits.resize(in_start[n_formula]);
    in_start.resize(n_formula);
  }
  step_line.clear();
  step_del.clear();
  saw_empty = false;
}

bool Checker::load_file(const std::string& path, long long limit, bool stop_at_empty) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::vector<char> buf;
  char chunk[1 << 16];
  size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0)
    buf.insert(buf.end(), chunk, chunk + got);
  std::fclose(f);

  std::vector<int> current;
  long long line = 1, start = 0;
  bool deleting = false, at_line_start = true;
  size_t i = 0, n = buf.size();
  auto give_up = [&]() { clear_steps(); return false; };
  while (i < n) {
    char ch = buf[i];
    if (ch == '\n') { line++; at_line_start = true; i++; continue; }
    if (ch == ' ' || ch == '\t') { i++; continue; }
    // a token
    size_t j = i;
    while (j < n && buf[j] != ' ' && buf[j] != '\t' && buf[j] != '\n') {
      unsigned char b = (unsigned char)buf[j];
      if (b >= 0x80 || b < 0x20 || b == 0x7f) return give_up();  // '\r', controls, non-ASCII
      j++;
    }
    bool first = at_line_start;
    at_line_start = false;
    if (first && buf[i] == 'c') {  // a comment line: skip to its end
      while (j < n && buf[j] != '\n') {
        unsigned char b = (unsigned char)buf[j];
        if (b >= 0x80 || (b < 0x20 && b != '\t') || b == 0x7f) return give_up();
        j++;
      }
      i = j;
      continue;
    }
    if (j - i == 1 && buf[i] == 'd') {
      if (!current.empty() || deleting) return give_up();
      deleting = true;
      start = line;
      i = j;
      continue;
    }
    size_t k = i;
    bool negative = false;
    if (buf[k] == '-') { negative = true; k++; }
    if (k == j || j - k > 12) return give_up();
    long long value = 0;
    for (; k < j; k++) {
      if (buf[k] < '0' || buf[k] > '9') return give_up();
      value = value * 10 + (buf[k] - '0');
    }
    i = j;
    if (value == 0) {
      add_step(start ? start : line, deleting, current.data(), (int)current.size());
      bool empty = !deleting && current.empty();
      current.clear();
      start = 0;
      deleting = false;
      if (empty && stop_at_empty) return true;
      continue;
    }
    if (value > limit || value > INT_MAX) return give_up();
    if (!start) start = line;
    current.push_back(negative ? -(int)value : (int)value);
  }
  if (!current.empty() || deleting) return give_up();
  return true;
}

// -- the working state --------------------------------------------------------------------------

void Checker::reset(int nclauses) {
  db.clear();
  cstart.clear();
  csize.clear();
  core.clear();
  present.clear();
  chash.clear();
  next_same.clear();
  by_hash.clear();
  units.clear();
  trail.clear();
  qhead = 0;
  cstart.reserve(nclauses);
  csize.reserve(nclauses);
  db.reserve(in_lits.size());
  int nlits = 2 * max_var + 2;
  watches[0].assign(nlits, std::vector<Watch>());
  watches[1].assign(nlits, std::vector<Watch>());
  val.assign(nlits, 0);
  mark_lits.assign(nlits, 0);
  reason.assign(max_var + 1, -1);
  tpos.assign(max_var + 1, 0);
  justified.assign(max_var + 1, 0);
  seen.assign(max_var + 1, 0);
  step_cls.assign(step_line.size(), -1);
  checked = added = deleted = ignored_deletions = rescans = 0;
}

int Checker::new_clause(const int* dimacs, int n) {
  // deduplicated; -1 for a tautology (always RUP, never needed)
  int id = (int)csize.size();
  db.push_back(id);
  db.push_back(0);
  int64_t start = db.size();
  if (start + n >= (int64_t)UINT32_MAX) throw std::length_error("proof too large");
  bool taut = false;
  for (int i = 0; i < n; i++) {
    int l = code(dimacs[i]);
    if (mark_lits[l]) continue;
    if (mark_lits[neg(l)]) taut = true;
    mark_lits[l] = 1;
    db.push_back(l);
  }
  int size = (int)(db.size() - start);
  db[start - 1] = size;
  uint64_t h = mix((uint64_t)size);
  for (int64_t k = start; k < start + size; k++) {
    mark_lits[db[k]] = 0;
    h += mix((uint64_t)db[k]);
  }
  if (taut) {
    db.resize(start - 2);
    return -1;
  }
  cstart.push_back(start);
  csize.push_back(size);
  core.push_back(0);
  present.push_back(0);
  chash.push_back(h);
  next_same.push_back(-1);
  return id;
}

void Checker::hash_insert(int c) {
  auto it = by_hash.find(chash[c]);
  if (it == by_hash.end()) {
    by_hash.emplace(chash[c], c);
  } else {
    next_same[c] = it->second;
    it->second = c;
  }
}

void Checker::hash_remove(int c) {
  auto it = by_hash.find(chash[c]);
  if (it == by_hash.end()) return;
  if (it->second == c) {
    if (next_same[c] < 0) by_hash.erase(it);
    else it->second = next_same[c];
    next_same[c] = -1;
    return;
  }
  for (int p = it->second; next_same[p] >= 0; p = next_same[p]) {
    if (next_same[p] == c) {
      next_same[p] = next_same[c];
      next_same[c] = -1;
      return;
    }
  }
}

int Checker::find_copy(const int* dimacs, int n) {
  // A present clause with the literals of a deletion line that is no root reason; -1 if
  // none (a clause the checker never saw, or only reasons: the deletion is ignored).
  std::vector<int> lits;
  bool taut = false;
  for (int i = 0; i < n; i++) {
    int l = code(dimacs[i]);
    if (mark_lits[l]) continue;
    if (mark_lits[neg(l)]) taut = true;
    mark_lits[l] = 1;
    lits.push_back(l);
  }
  uint64_t h = mix((uint64_t)lits.size());
  for (int l : lits) h += mix((uint64_t)l);
  int found = -1;
  if (!taut && lits.size() >= 2) {
    auto it = by_hash.find(h);
    for (int c = it == by_hash.end() ? -1 : it->second; c >= 0; c = next_same[c]) {
      if (!present[c] || csize[c] != (int)lits.size() || is_reason(c)) continue;
      bool same = true;
      for (int k = 0; k < csize[c] && same; k++) same = mark_lits[db[cstart[c] + k]];
      if (same) {
        found = c;
        break;
      }
    }
  }
  for (int l : lits) mark_lits[l] = 0;
  return found;
}

void Checker::assign(int lit, int why) {
  val[lit] = 1;
  val[neg(lit)] = -1;
  reason[var(lit)] = why;
  tpos[var(lit)] = (int)trail.size();
  trail.push_back(lit);
}

void Checker::unassign_to(size_t pos) {
  while (trail.size() > pos) {
    int l = trail.back();
    trail.pop_back();
    val[l] = val[neg(l)] = 0;
    reason[var(l)] = -1;
    justified[var(l)] = 0;
  }
  if (qhead > pos) qhead = pos;
}

int Checker::reason_lit(int c) const {
  // a reason is a unit or one of the two watched literals
  for (int k = 0; k < csize[c] && k < 2; k++) {
    int l = db[cstart[c] + k];
    if (val[l] == 1 && reason[var(l)] == c) return l;
  }
  return -1;
}

int Checker::attach(int c) {
  // only with root assignments on the trail
  int n = csize[c];
  int* lits = &db[cstart[c]];
  if (n == 0) return c;
  if (n == 1) {
    units.push_back(c);
    if (val[lits[0]] == -1) return c;
    if (val[lits[0]] == 0) assign(lits[0], c);
    return -1;
  }
  // the two best literals first: not false, else the latest false (so that taking back
  // root assignments from the end never leaves a watched false literal behind a watched
  // open one unnoticed; restore() rescans anyway)
  auto rank = [&](int l) { return val[l] != -1 ? INT_MAX : tpos[var(l)]; };
  for (int w = 0; w < 2; w++) {
    int best = w;
    for (int k = w + 1; k < n; k++)
      if (rank(lits[k]) > rank(lits[best])) best = k;
    std::swap(lits[w], lits[best]);
  }
  uint32_t ref = (uint32_t)cstart[c];
  auto& lists = watches[core[c] ? 1 : 0];
  lists[lits[0]].push_back({ref, lits[1], n == 2});
  lists[lits[1]].push_back({ref, lits[0], n == 2});
  if (val[lits[0]] == -1) return c;  // every literal false
  if (val[lits[1]] == -1 && val[lits[0]] == 0) assign(lits[0], c);
  return -1;
}

void Checker::detach(int c) {
  int n = csize[c];
  if (n == 1) {
    auto it = std::find(units.begin(), units.end(), c);
    if (it != units.end()) {
      *it = units.back();
      units.pop_back();
    }
    return;
  }
  uint32_t ref = (uint32_t)cstart[c];
  for (int w = 0; w < 2 && w < n; w++) {
    auto& ws = watches[core[c] ? 1 : 0][db[cstart[c] + w]];
    for (size_t k = 0; k < ws.size(); k++) {
      if (ws[k].ref == ref) {
        ws[k] = ws.back();
        ws.pop_back();
        break;
      }
    }
  }
}

// Visits the clauses watching the negation of trail[at]: all of them (ONLY_ALL), or only
// the core / non-core ones. Returns a conflict clause or -1.
int Checker::visit(size_t at, int which) {
  int falsified = neg(trail[at]);
  if (which != REST) {
    int conflict = visit_list(falsified, watches[1]);
    if (conflict >= 0 || which == CORE) return conflict;
  }
  return visit_list(falsified, watches[0]);
}

int Checker::visit_list(int falsified, std::vector<std::vector<Watch>>& lists) {
  std::vector<Watch>& ws = lists[falsified];
  size_t i = 0, j = 0, end = ws.size();
  while (i < end) {
    Watch w = ws[i++];
    if (val[w.blocker] == 1) {
      ws[j++] = w;
      continue;
    }
    if (w.binary) {
      ws[j++] = w;
      if (val[w.blocker] == -1) {
        while (i < end) ws[j++] = ws[i++];
        ws.resize(j);
        return clause_id(w.ref);
      }
      assign(w.blocker, clause_id(w.ref));
      continue;
    }
    int* lits = &db[w.ref];
    int n = db[w.ref - 1];
    if (lits[0] == falsified) std::swap(lits[0], lits[1]);
    int other = lits[0];
    if (other != w.blocker && val[other] == 1) {
      ws[j++] = {w.ref, other, false};
      continue;
    }
    bool moved = false;
    for (int k = 2; k < n; k++) {
      if (val[lits[k]] != -1) {
        std::swap(lits[1], lits[k]);
        lists[lits[1]].push_back({w.ref, other, false});
        moved = true;
        break;
      }
    }
    if (moved) continue;
    ws[j++] = {w.ref, other, false};
    if (val[other] == -1) {  // conflict: keep the rest of the list
      while (i < end) ws[j++] = ws[i++];
      ws.resize(j);
      return db[w.ref - 2];
    }
    assign(other, db[w.ref - 2]);
  }
  ws.resize(j);
  return -1;
}

int Checker::propagate() {
  while (qhead < trail.size()) {
    int conflict = visit(qhead++, ALL);
    if (conflict >= 0) {
      qhead = trail.size();
      return conflict;
    }
  }
  return -1;
}

// Core-first propagation (Heule, Hunt & Wetzler 2013): the core clauses to a fixpoint before
// each single step of the others, so that a conflict uses core clauses where it can and the
// backward pass marks (and checks) fewer lemmas.
int Checker::propagate_core_first() {
  size_t qcore = qhead, qrest = qhead;
  while (true) {
    while (qcore < trail.size()) {
      int conflict = visit(qcore++, CORE);
      if (conflict >= 0) {
        qhead = trail.size();
        return conflict;
      }
    }
    if (qrest >= trail.size()) break;
    int conflict = visit(qrest++, REST);
    if (conflict >= 0) {
      qhead = trail.size();
      return conflict;
    }
  }
  qhead = trail.size();
  return -1;
}

int Checker::restore() {
  rescans++;
  for (int c : units) {
    int l = db[cstart[c]];
    if (val[l] == -1) return c;
    if (val[l] == 0) assign(l, c);
  }
  qhead = 0;
  return propagate();
}

void Checker::mark_core(int c) {
  if (core[c]) return;
  if (present[c] && csize[c] >= 2) {  // its watches move to the core lists
    detach(c);
    core[c] = 1;
    int* lits = &db[cstart[c]];
    uint32_t ref = (uint32_t)cstart[c];
    watches[1][lits[0]].push_back({ref, lits[1], csize[c] == 2});
    watches[1][lits[1]].push_back({ref, lits[0], csize[c] == 2});
  }
  core[c] = 1;
}

void Checker::analyze(int conflict_cls, int conflict_var) {
  // Marks as core every clause of the implication graph of the conflict: the conflict
  // clause and the reasons of every variable reached from it. A root variable whose reasons
  // are all marked already (justified) is not walked again.
  std::vector<int> stack, touched;
  auto visit = [&](int v) {
    if (seen[v] || justified[v]) return;
    seen[v] = 1;
    touched.push_back(v);
    if (reason[v] >= 0) stack.push_back(reason[v]);
  };
  if (conflict_cls >= 0) stack.push_back(conflict_cls);
  if (conflict_var >= 0) visit(conflict_var);
  while (!stack.empty()) {
    int c = stack.back();
    stack.pop_back();
    mark_core(c);
    for (int k = 0; k < csize[c]; k++) visit(var(db[cstart[c] + k]));
  }
  for (int v : touched) seen[v] = 0;
  // the caller sets justified for root variables (it knows where the root ends)
  touched.swap(analyzed);
}

bool Checker::check(int c, bool mark) {
  size_t root = trail.size();
  const int n = csize[c];
  const int64_t s = cstart[c];
  // all negated literals first, then propagate (one at a time, each propagated to its
  // fixpoint, was three times slower on job-shop proofs: a single literal of a long
  // difference-logic reason implies a lot before the others meet it). A literal of the
  // clause already true at the root clashes with its negation: a conflict too.
  int conflict = -1, clash = -1;
  for (int k = 0; k < n && clash < 0; k++) {
    int l = db[s + k];
    if (val[l] == 1) clash = var(l);
    else if (val[l] == 0) assign(neg(l), -1);
  }
  if (clash < 0) conflict = mark ? propagate_core_first() : propagate();
  bool ok = conflict >= 0 || clash >= 0;
  if (ok && mark) {
    analyze(conflict, clash);
    justify(root);
  }
  unassign_to(root);
  qhead = root;
  return ok;
}

void Checker::justify(size_t root) {
  for (int v : analyzed)
    if (val[2 * v] != 0 && (size_t)tpos[v] < root) justified[v] = 1;
  analyzed.clear();
}

// -- the two modes ------------------------------------------------------------------------------

int Checker::run(bool final, bool honour_deletions, bool forward) {
  if (!final) forward = true;  // no conflict to work back from: every line is checked
  fail_line = 0;
  const int nsteps = (int)step_line.size();
  reset(n_formula + nsteps);
  auto in_clause = [&](int k, const int** lits, int* n) {
    int64_t a = in_start[k];
    int64_t b = (size_t)(k + 1) < in_start.size() ? in_start[k + 1] : (int64_t)in_lits.size();
    *lits = in_lits.data() + a;
    *n = (int)(b - a);
  };
  // the formula
  int conflict = -1;
  for (int k = 0; k < n_formula; k++) {
    const int* lits;
    int n;
    in_clause(k, &lits, &n);
    int c = new_clause(lits, n);
    if (c < 0) continue;
    if (n == 0) return ACCEPTED;  // an empty clause in the formula: refuted already
    present[c] = 1;
    if (csize[c] >= 2) hash_insert(c);
    if (conflict < 0) conflict = attach(c);
  }
  if (conflict < 0) conflict = propagate();
  if (conflict >= 0) return ACCEPTED;  // the formula alone propagates to a conflict

  // forward: add (checking every clause unless `final`) until a root conflict
  int last = -1;
  for (int s = 0; s < nsteps; s++) {
    const int* lits;
    int n;
    in_clause(n_formula + s, &lits, &n);
    if (step_del[s]) {
      int c = honour_deletions && n >= 2 ? find_copy(lits, n) : -1;
      if (c < 0) {
        ignored_deletions++;
        continue;
      }
      deleted++;
      detach(c);
      present[c] = 0;
      hash_remove(c);
      step_cls[s] = c;
      continue;
    }
    int c = new_clause(lits, n);
    if (c < 0) continue;  // a tautology
    added++;
    if (forward) {
      checked++;
      if (!check(c, false)) {
        fail_line = step_line[s];
        return NOT_RUP;
      }
    }
    if (csize[c] == 0) {  // the empty clause: RUP only with a root conflict, which stops earlier
      fail_line = step_line[s];
      return NOT_RUP;
    }
    present[c] = 1;
    if (csize[c] >= 2) hash_insert(c);
    step_cls[s] = c;
    conflict = attach(c);
    if (conflict < 0) conflict = propagate();
    if (conflict >= 0) {
      last = s;
      break;
    }
  }
  if (conflict < 0) return final ? NO_CONFLICT : ACCEPTED;
  if (forward) return ACCEPTED;  // every line up to the conflict checked; the rest is RUP

  // backward: the clauses the final conflict used, then each marked lemma by RUP against
  // the clauses present before it, marking what its conflict used
  analyze(conflict, -1);
  justify(0);  // the root assignment is about to change: marks only, no justification
  for (int s = last; s >= 0; s--) {
    int c = step_cls[s];
    if (c < 0) continue;
    if (step_del[s]) {  // undo a deletion
      present[c] = 1;
      int bad = attach(c);
      if (bad < 0) bad = propagate();
      if (bad >= 0) return INTERNAL;  // cannot happen: this clause set had no root conflict
      continue;
    }
    int lit = reason_lit(c);
    bool was_reason = lit >= 0;
    if (was_reason) unassign_to(tpos[var(lit)]);
    detach(c);
    present[c] = 0;
    if (was_reason || s == last) {
      if (restore() >= 0) return INTERNAL;  // as above: the forward pass met no conflict here
    }
    if (core[c]) {
      checked++;
      if (!check(c, true)) {
        fail_line = step_line[s];
        return NOT_RUP;
      }
    }
  }
  return ACCEPTED;
}

}  // namespace smtsched_drup
