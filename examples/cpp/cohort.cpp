// Cohort tables from C++17: the library's handles owned by std::unique_ptr with their free
// functions (RAII: no leak on any path, exceptions included), std::vector columns, and the
// mergeable state travelling as bytes — two "machines" each build a partial table, one merges.
//
//   cohort_cpp
#include <retention.h>

#include <cstdint>
#include <iomanip>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtn {

struct builder_free {
    void operator()(rtn_cohort_builder *b) const noexcept { rtn_cohort_builder_free(b); }
};
struct table_free {
    void operator()(rtn_cohort_table *t) const noexcept { rtn_cohort_table_free(t); }
};
using builder_ptr = std::unique_ptr<rtn_cohort_builder, builder_free>;
using table_ptr = std::unique_ptr<rtn_cohort_table, table_free>;

inline void check(int rc, const char *what)
{
    if (rc != RTN_OK)
        throw std::runtime_error(std::string(what) + ": " + rtn_strerror(rc));
}

inline builder_ptr make_builder(int32_t unit)
{
    rtn_cohort_builder *raw = nullptr;
    check(rtn_cohort_builder_create(&raw, nullptr), "rtn_cohort_builder_create");
    builder_ptr b(raw); // owned from here on, whatever throws next
    check(rtn_cohort_builder_set(b.get(), RTN_COHORT_PERIOD_UNIT, unit), "rtn_cohort_builder_set");
    return b;
}

inline void add(rtn_cohort_builder *b, const std::vector<std::int64_t> &customer,
                const std::vector<std::int64_t> &time)
{
    if (customer.size() != time.size())
        throw std::invalid_argument("columns of different lengths");
    std::size_t bad = 0;
    int rc = rtn_cohort_builder_add(b, customer.data(), time.data(), nullptr, customer.size(), &bad);
    if (rc == RTN_EDOMAIN)
        throw std::out_of_range("time at index " + std::to_string(bad) + " is out of range");
    check(rc, "rtn_cohort_builder_add");
}

inline std::vector<std::uint8_t> to_bytes(const rtn_cohort_builder *b)
{
    std::size_t len = 0;
    int rc = rtn_cohort_builder_serialize(b, nullptr, 0, &len); // asks for the size
    if (rc != RTN_EBUFSIZE)
        check(rc, "rtn_cohort_builder_serialize");
    std::vector<std::uint8_t> bytes(len);
    check(rtn_cohort_builder_serialize(b, bytes.data(), bytes.size(), &len),
          "rtn_cohort_builder_serialize");
    return bytes;
}

inline builder_ptr from_bytes(const std::vector<std::uint8_t> &bytes)
{
    rtn_cohort_builder *raw = nullptr;
    check(rtn_cohort_builder_deserialize(&raw, bytes.data(), bytes.size(), nullptr),
          "rtn_cohort_builder_deserialize");
    return builder_ptr(raw);
}

inline table_ptr finish(const rtn_cohort_builder *b)
{
    rtn_cohort_table *raw = nullptr;
    check(rtn_cohort_builder_finish(b, &raw), "rtn_cohort_builder_finish");
    return table_ptr(raw);
}

} // namespace rtn

int main()
{
    try {
        // Weekly activity of 60 customers over 8 weeks from Monday 2024-01-01: customer c joins in
        // week c % 4 and stays for c % 6 + 1 weeks.
        const std::int64_t week = 7 * 86400, monday = 1704067200;
        std::vector<std::int64_t> customer, time;
        for (std::int64_t c = 0; c < 60; ++c)
            for (std::int64_t w = c % 4; w < c % 4 + c % 6 + 1 && w < 8; ++w) {
                customer.push_back(1000 + c);
                time.push_back(monday + w * week + c * 3600);
            }
        // two partial builders ("machines"): the first half of the events and the second
        const std::size_t half = customer.size() / 2;
        auto a = rtn::make_builder(RTN_PERIOD_WEEK), b = rtn::make_builder(RTN_PERIOD_WEEK);
        rtn::add(a.get(), {customer.begin(), customer.begin() + half},
                 {time.begin(), time.begin() + half});
        rtn::add(b.get(), {customer.begin() + half, customer.end()},
                 {time.begin() + half, time.end()});
        // b's state crosses a process boundary as bytes, then merges into a
        auto b_again = rtn::from_bytes(rtn::to_bytes(b.get()));
        rtn::check(rtn_cohort_builder_merge(a.get(), b_again.get()), "rtn_cohort_builder_merge");
        auto table = rtn::finish(a.get());

        std::size_t rows = 0, cols = 0;
        rtn::check(rtn_cohort_table_dims(table.get(), &rows, &cols), "rtn_cohort_table_dims");
        std::vector<std::uint64_t> size(rows);
        std::vector<double> share(rows * cols);
        rtn::check(rtn_cohort_table_cohorts(table.get(), nullptr, nullptr, size.data(), rows),
                   "rtn_cohort_table_cohorts");
        rtn::check(rtn_cohort_table_retention(table.get(), share.data(), share.size()),
                   "rtn_cohort_table_retention");
        std::cout << "weekly cohorts (retention %, '-' = not observable yet)\n";
        for (std::size_t r = 0; r < rows; ++r) {
            std::cout << "week " << r << " (" << std::setw(2) << size[r] << "):";
            for (std::size_t k = 0; k < cols; ++k) {
                const double v = share[r * cols + k];
                if (v != v)
                    std::cout << "    -";
                else
                    std::cout << std::setw(5) << static_cast<int>(100 * v + 0.5);
            }
            std::cout << "\n";
        }
        rtn::add(a.get(), {1}, {-99999999999999}); // out of range: throws, and nothing leaks
    } catch (const std::out_of_range &e) {
        std::cout << "rejected as expected: " << e.what() << "\n";
        return 0;
    } catch (const std::exception &e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    std::cerr << "the bad time was not rejected\n";
    return 1;
}
