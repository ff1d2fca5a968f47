#include "traversal.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <utility>

#include <genlab/error.hpp>

namespace genlab::trees {
namespace {

constexpr std::int32_t kNone = Tree::kNone;

struct Recursion {
  const Tree& t;
  Order order;
  std::int64_t max_depth;
  std::vector<std::int64_t>& out;
  std::vector<std::vector<std::int64_t>> levels;
  std::int64_t peak = 0;
  std::uintptr_t frame_at_1 = 0, frame_at_2 = 0;

  void visit(std::int32_t n, std::int64_t depth) {
    if (n == kNone) return;
    if (depth > max_depth)
      throw Error("recursive traversal: the tree is deeper than max_recursion_depth = " + std::to_string(max_depth) +
                  " (recursing further could overflow the thread's stack); the iterative, colour and Morris "
                  "variants have no such limit");
    volatile char marker = 0;  // its address measures the frame size between depths 1 and 2
    if (depth == 1) frame_at_1 = reinterpret_cast<std::uintptr_t>(&marker);
    if (depth == 2) frame_at_2 = reinterpret_cast<std::uintptr_t>(&marker);
    peak = std::max(peak, depth);
    const auto i = std::size_t(n);
    switch (order) {
      case Order::Pre:
        out.push_back(t.value[i]);
        visit(t.left[i], depth + 1);
        visit(t.right[i], depth + 1);
        break;
      case Order::In:
        visit(t.left[i], depth + 1);
        out.push_back(t.value[i]);
        visit(t.right[i], depth + 1);
        break;
      case Order::Post:
        visit(t.left[i], depth + 1);
        visit(t.right[i], depth + 1);
        out.push_back(t.value[i]);
        break;
      case Order::Level:
        if (levels.size() < std::size_t(depth)) levels.emplace_back();
        levels[std::size_t(depth - 1)].push_back(t.value[i]);
        visit(t.left[i], depth + 1);
        visit(t.right[i], depth + 1);
        break;
    }
    (void)marker;
  }
};

std::vector<std::int64_t> iterative(const Tree& t, Order o, TraversalStats& st) {
  std::vector<std::int64_t> out;
  out.reserve(std::size_t(t.size()));
  if (t.root == kNone) return out;
  std::vector<std::int32_t> stack;
  auto note = [&](std::size_t size) { st.peak_entries = std::max(st.peak_entries, std::int64_t(size)); };
  st.bytes_per_entry = sizeof(std::int32_t);
  switch (o) {
    case Order::Pre:
      stack.push_back(t.root);
      while (!stack.empty()) {
        note(stack.size());
        const std::int32_t n = stack.back();
        stack.pop_back();
        out.push_back(t.value[std::size_t(n)]);
        if (t.right[std::size_t(n)] != kNone) stack.push_back(t.right[std::size_t(n)]);
        if (t.left[std::size_t(n)] != kNone) stack.push_back(t.left[std::size_t(n)]);
      }
      break;
    case Order::In:
      for (std::int32_t cur = t.root; cur != kNone || !stack.empty();) {
        for (; cur != kNone; cur = t.left[std::size_t(cur)]) stack.push_back(cur);
        note(stack.size());
        cur = stack.back();
        stack.pop_back();
        out.push_back(t.value[std::size_t(cur)]);
        cur = t.right[std::size_t(cur)];
      }
      break;
    case Order::Post: {
      // One stack and the last node output: a node is output once its right subtree is done.
      std::int32_t last = kNone;
      for (std::int32_t cur = t.root; cur != kNone || !stack.empty();) {
        for (; cur != kNone; cur = t.left[std::size_t(cur)]) stack.push_back(cur);
        note(stack.size());
        const std::int32_t top = stack.back();
        const std::int32_t r = t.right[std::size_t(top)];
        if (r != kNone && r != last) {
          cur = r;
        } else {
          out.push_back(t.value[std::size_t(top)]);
          last = top;
          stack.pop_back();
        }
      }
      break;
    }
    case Order::Level: {
      // A deque frees its blocks as the front moves on: its footprint follows the live entries (one level
      // and a bit), which is what the peak below reports.
      std::deque<std::int32_t> queue{t.root};
      while (!queue.empty()) {
        note(queue.size());
        const std::int32_t n = queue.front();
        queue.pop_front();
        out.push_back(t.value[std::size_t(n)]);
        if (t.left[std::size_t(n)] != kNone) queue.push_back(t.left[std::size_t(n)]);
        if (t.right[std::size_t(n)] != kNone) queue.push_back(t.right[std::size_t(n)]);
      }
      break;
    }
  }
  return out;
}

std::vector<std::int64_t> colour(const Tree& t, Order o, TraversalStats& st) {
  std::vector<std::int64_t> out;
  out.reserve(std::size_t(t.size()));
  struct Entry {
    std::int32_t node;
    bool grey;
  };
  std::vector<Entry> stack;
  st.bytes_per_entry = sizeof(Entry);
  if (t.root != kNone) stack.push_back({t.root, false});
  while (!stack.empty()) {
    st.peak_entries = std::max(st.peak_entries, std::int64_t(stack.size()));
    const Entry e = stack.back();
    stack.pop_back();
    if (e.grey) {
      out.push_back(t.value[std::size_t(e.node)]);
      continue;
    }
    const std::int32_t l = t.left[std::size_t(e.node)], r = t.right[std::size_t(e.node)];
    // Pushed in the reverse of the wanted order: the stack pops them the right way round.
    if (o == Order::Post) stack.push_back({e.node, true});
    if (r != kNone) stack.push_back({r, false});
    if (o == Order::In) stack.push_back({e.node, true});
    if (l != kNone) stack.push_back({l, false});
    if (o == Order::Pre) stack.push_back({e.node, true});
  }
  return out;
}

// The in-order predecessor of cur within its left subtree, stopping at a thread back to cur.
std::int32_t predecessor(const Tree& t, std::int32_t cur) {
  std::int32_t p = t.left[std::size_t(cur)];
  while (t.right[std::size_t(p)] != kNone && t.right[std::size_t(p)] != cur) p = t.right[std::size_t(p)];
  return p;
}

// Reverses the right-link chain from `from` to `to` (Morris post-order outputs it backwards in O(1) space).
void reverse_chain(Tree& t, std::int32_t from, std::int32_t to) {
  if (from == to) return;
  std::int32_t prev = from, cur = t.right[std::size_t(from)];
  while (prev != to) {
    const std::int32_t next = t.right[std::size_t(cur)];
    t.right[std::size_t(cur)] = prev;
    prev = cur;
    cur = next;
  }
}

std::vector<std::int64_t> morris(Tree& t, Order o) {
  std::vector<std::int64_t> out;
  out.reserve(std::size_t(t.size()));
  if (o == Order::Post) {
    // A temporary root whose left child is the tree: the last right chain is then output too.
    const std::int32_t dummy = t.add(0);
    t.left[std::size_t(dummy)] = t.root;
    for (std::int32_t cur = dummy; cur != kNone;) {
      if (t.left[std::size_t(cur)] == kNone) {
        cur = t.right[std::size_t(cur)];
        continue;
      }
      const std::int32_t p = predecessor(t, cur);
      if (t.right[std::size_t(p)] == kNone) {
        t.right[std::size_t(p)] = cur;
        cur = t.left[std::size_t(cur)];
      } else {
        const std::int32_t first = t.left[std::size_t(cur)];
        reverse_chain(t, first, p);
        for (std::int32_t n = p;; n = t.right[std::size_t(n)]) {
          out.push_back(t.value[std::size_t(n)]);
          if (n == first) break;
        }
        reverse_chain(t, p, first);
        t.right[std::size_t(p)] = kNone;
        cur = t.right[std::size_t(cur)];
      }
    }
    t.value.pop_back();
    t.left.pop_back();
    t.right.pop_back();
    return out;
  }
  for (std::int32_t cur = t.root; cur != kNone;) {
    if (t.left[std::size_t(cur)] == kNone) {
      out.push_back(t.value[std::size_t(cur)]);
      cur = t.right[std::size_t(cur)];
      continue;
    }
    const std::int32_t p = predecessor(t, cur);
    if (t.right[std::size_t(p)] == kNone) {
      if (o == Order::Pre) out.push_back(t.value[std::size_t(cur)]);
      t.right[std::size_t(p)] = cur;  // thread back, to return to cur after its left subtree
      cur = t.left[std::size_t(cur)];
    } else {
      t.right[std::size_t(p)] = kNone;  // the thread is given back
      if (o == Order::In) out.push_back(t.value[std::size_t(cur)]);
      cur = t.right[std::size_t(cur)];
    }
  }
  return out;
}

}  // namespace

Order order_from_name(const std::string& s) {
  if (s == "pre") return Order::Pre;
  if (s == "in") return Order::In;
  if (s == "post") return Order::Post;
  if (s == "level") return Order::Level;
  throw ConfigError("unknown traversal order '" + s + "' (pre, in, post, level)");
}

Method method_from_name(const std::string& s) {
  if (s == "recursive") return Method::Recursive;
  if (s == "iterative") return Method::Iterative;
  if (s == "colour") return Method::Colour;
  if (s == "morris") return Method::Morris;
  throw ConfigError("unknown traversal method '" + s + "' (recursive, iterative, colour, morris)");
}

const char* name_of(Order o) {
  switch (o) {
    case Order::Pre: return "pre";
    case Order::In: return "in";
    case Order::Post: return "post";
    case Order::Level: return "level";
  }
  return "?";
}

const char* name_of(Method m) {
  switch (m) {
    case Method::Recursive: return "recursive";
    case Method::Iterative: return "iterative";
    case Method::Colour: return "colour";
    case Method::Morris: return "morris";
  }
  return "?";
}

bool supported(Order o, Method m) { return o != Order::Level || m == Method::Recursive || m == Method::Iterative; }

std::vector<std::int64_t> traverse(Tree& t, Order o, Method m, std::int64_t max_depth, TraversalStats* stats) {
  TraversalStats local;
  TraversalStats& st = stats ? *stats : local;
  st = {};
  if (!supported(o, m))
    throw NotSupported(std::string(name_of(o)) + "-order traversal has no " + name_of(m) +
                       " form (level order: recursive or iterative)");
  switch (m) {
    case Method::Recursive: {
      std::vector<std::int64_t> out;
      out.reserve(std::size_t(t.size()));
      Recursion r{t, o, max_depth, out, {}};
      r.visit(t.root, 1);
      if (o == Order::Level)
        for (auto& level : r.levels) out.insert(out.end(), level.begin(), level.end());
      st.peak_entries = r.peak;
      st.bytes_per_entry = r.frame_at_2 ? std::int64_t(r.frame_at_1 > r.frame_at_2 ? r.frame_at_1 - r.frame_at_2
                                                                                    : r.frame_at_2 - r.frame_at_1)
                                        : 0;
      return out;
    }
    case Method::Iterative:
      return iterative(t, o, st);
    case Method::Colour:
      return colour(t, o, st);
    case Method::Morris:
      return morris(t, o);
  }
  return {};
}

}  // namespace genlab::trees
