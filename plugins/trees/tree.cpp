#include "tree.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

#include <genlab/error.hpp>

namespace genlab::trees {

std::int32_t Tree::add(std::int64_t v) {
  value.push_back(v);
  left.push_back(kNone);
  right.push_back(kNone);
  return std::int32_t(value.size() - 1);
}

std::int64_t Tree::height() const {
  if (root == kNone) return 0;
  std::int64_t h = 0;
  std::vector<std::int32_t> level{root}, next;
  while (!level.empty()) {
    ++h;
    next.clear();
    for (auto n : level) {
      if (left[std::size_t(n)] != kNone) next.push_back(left[std::size_t(n)]);
      if (right[std::size_t(n)] != kNone) next.push_back(right[std::size_t(n)]);
    }
    level.swap(next);
  }
  return h;
}

Tree from_level_order(const std::vector<std::optional<std::int64_t>>& values) {
  Tree t;
  if (values.empty() || !values[0]) {
    if (values.size() > 1) throw ConfigError("level_order: a null root cannot have children");
    return t;
  }
  t.root = t.add(*values[0]);
  std::vector<std::int32_t> parents{t.root};  // nodes waiting for their children, in order
  std::size_t next_parent = 0, i = 1;
  while (i < values.size()) {
    if (next_parent >= parents.size())
      throw ConfigError("level_order: value " + std::to_string(i) + " has no parent (too many entries after nulls)");
    const std::int32_t p = parents[next_parent++];
    for (int side = 0; side < 2 && i < values.size(); ++side, ++i) {
      if (!values[i]) continue;
      const std::int32_t c = t.add(*values[i]);
      (side == 0 ? t.left : t.right)[std::size_t(p)] = c;
      parents.push_back(c);
    }
  }
  return t;
}

Tree from_level_order(const std::string& text) {
  std::string s = text;
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }), s.end());
  if (s.size() < 2 || s.front() != '[' || s.back() != ']')
    throw ConfigError("level_order: expected [v1,v2,...] with integers and null, got '" + text + "'");
  s = s.substr(1, s.size() - 2);
  std::vector<std::optional<std::int64_t>> values;
  std::size_t pos = 0;
  for (std::size_t k = 0; !s.empty() && pos <= s.size(); ++k) {
    const std::size_t comma = s.find(',', pos);
    const std::string tok = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (tok == "null") {
      values.push_back(std::nullopt);
    } else {
      std::size_t used = 0;
      std::int64_t v = 0;
      try {
        v = std::stoll(tok, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (tok.empty() || used != tok.size())
        throw ConfigError("level_order: entry " + std::to_string(k) + " '" + tok + "' is neither an integer nor null");
      values.push_back(v);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return from_level_order(values);
}

Tree balanced(std::int64_t n) {
  Tree t;
  for (std::int64_t i = 0; i < n; ++i) t.add(i);
  for (std::int64_t i = 0; i < n; ++i) {
    if (2 * i + 1 < n) t.left[std::size_t(i)] = std::int32_t(2 * i + 1);
    if (2 * i + 2 < n) t.right[std::size_t(i)] = std::int32_t(2 * i + 2);
  }
  if (n > 0) t.root = 0;
  return t;
}

Tree random_bst(std::int64_t n, Rng& rng) {
  std::vector<std::int64_t> keys(static_cast<std::size_t>(n));
  std::iota(keys.begin(), keys.end(), std::int64_t{0});
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(keys[std::size_t(i)], keys[rng.below(std::uint64_t(i) + 1)]);
  Tree t;
  for (std::int64_t k : keys) {
    const std::int32_t c = t.add(k);
    if (t.root == Tree::kNone) {
      t.root = c;
      continue;
    }
    std::int32_t at = t.root;
    for (;;) {
      auto& slot = (k < t.value[std::size_t(at)] ? t.left : t.right)[std::size_t(at)];
      if (slot == Tree::kNone) {
        slot = c;
        break;
      }
      at = slot;
    }
  }
  return t;
}

Tree chain(std::int64_t n, bool left) {
  Tree t;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t c = t.add(i);
    if (i == 0)
      t.root = c;
    else
      (left ? t.left : t.right)[std::size_t(c - 1)] = c;
  }
  return t;
}

}  // namespace genlab::trees
