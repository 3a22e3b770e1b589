// Lists of points and tags whose resize() leaves the new elements uninitialised.
//
// A match grows its large lists (the values a responder keeps, the tags of either
// side) on the event loop's thread, and the worker pool then overwrites every new
// element. A std::vector zero-fills on resize, so the loop's thread first touched
// every page of those lists: at 2^20 customers about 7% of each event loop's CPU
// (docs/scaling.md), serial work that the workers' own writes make unnecessary.
// With this allocator the first write, and so the page fault, happens on a worker.
//
// Only for element types where every element is written before it is read: an
// unwritten element holds whatever the memory held.
#pragma once

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace entente::crypto {

template <class T>
class LeaveUninitialised : public std::allocator<T> {
  static_assert(std::is_trivially_destructible_v<T>, "only for plain data that a worker overwrites");

 public:
  using value_type = T;
  template <class U>
  struct rebind {
    using other = LeaveUninitialised<U>;
  };

  LeaveUninitialised() noexcept = default;
  template <class U>
  LeaveUninitialised(const LeaveUninitialised<U>&) noexcept {}  // NOLINT: allocators convert implicitly

  // resize(n) and the sized constructor call construct(p) with no arguments: default-
  // initialise, which for a std::array of bytes writes nothing.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T, class U>
bool operator==(const LeaveUninitialised<T>&, const LeaveUninitialised<U>&) noexcept {
  return true;
}

template <class T>
using UninitialisedList = std::vector<T, LeaveUninitialised<T>>;

}  // namespace entente::crypto
