// libretention from C++17: std::vector columns, errors as exceptions, and the histogram (the
// mergeable state) as a value type. Built against an installed libretention with
// find_package(retention) — see CMakeLists.txt here — and run by the install check.
//
//   survey_cpp [survey.csv]      (a CSV whose columns include nps and handle_seconds)
#include <retention.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtn {

// A failed call, carrying the library's status code and message.
class error : public std::runtime_error {
  public:
    error(int code, const std::string &what)
        : std::runtime_error(what + ": " + rtn_strerror(code)), code_(code) {}
    int code() const noexcept { return code_; }

  private:
    int code_;
};

inline void check(int rc, const char *what)
{
    if (rc != RTN_OK)
        throw error(rc, what);
}

// The NPS state: 11 counts. Histograms of separate parts of the data add up to the whole.
class nps_histogram {
  public:
    void add(const std::vector<std::uint8_t> &scores)
    {
        std::size_t bad = 0;
        int rc = rtn_nps_count(scores.data(), scores.size(), counts_.data(), &bad);
        if (rc == RTN_EDOMAIN)
            throw error(rc, "score " + std::to_string(scores[bad]) + " at index " +
                                std::to_string(bad));
        check(rc, "rtn_nps_count");
    }
    nps_histogram &operator+=(const nps_histogram &other)
    {
        for (std::size_t v = 0; v < counts_.size(); ++v)
            counts_[v] += other.counts_[v];
        return *this;
    }
    struct summary {
        std::uint64_t promoters, passives, detractors;
        double nps, se, low, high;
    };
    summary summarise(double confidence = 0.95) const
    {
        summary s{};
        check(rtn_nps_categories(counts_.data(), &s.promoters, &s.passives, &s.detractors),
              "rtn_nps_categories");
        check(rtn_nps_score(s.promoters, s.passives, s.detractors, &s.nps, &s.se),
              "rtn_nps_score");
        check(rtn_nps_interval(s.promoters, s.passives, s.detractors, RTN_NPS_ADJUSTED_WALD,
                               confidence, &s.low, &s.high),
              "rtn_nps_interval");
        return s;
    }

  private:
    std::array<std::uint64_t, RTN_NPS_HIST_LEN> counts_{};
};

inline double handle_time_mean(const std::vector<double> &durations)
{
    double mean = 0;
    check(rtn_handle_time_mean(durations.data(), durations.size(), &mean, nullptr),
          "rtn_handle_time_mean");
    return mean;
}

} // namespace rtn

// Reads two named columns of a simple CSV (no quoted fields) into vectors.
static void read_columns(const std::string &path, std::vector<std::uint8_t> &nps,
                         std::vector<double> &seconds, std::vector<bool> &is_chat)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(path + ": cannot open");
    std::string line, field;
    std::getline(in, line);
    std::vector<std::string> header;
    for (std::istringstream h(line); std::getline(h, field, ',');)
        header.push_back(field);
    auto index = [&](const std::string &name) {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (header[i] == name)
                return i;
        throw std::runtime_error(path + ": no column " + name);
    };
    const std::size_t n_col = index("nps"), t_col = index("handle_seconds"),
                      c_col = index("channel");
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        for (std::istringstream r(line); std::getline(r, field, ',');)
            f.push_back(field);
        if (f.size() != header.size())
            continue;
        int score = std::stoi(f[n_col]);
        nps.push_back(static_cast<std::uint8_t>(score >= 0 && score <= 255 ? score : 255));
        seconds.push_back(std::stod(f[t_col]));
        is_chat.push_back(f[c_col] == "chat");
    }
}

int main(int argc, char **argv)
{
    const std::string path = argc > 1 ? argv[1] : "examples/data/survey.csv";
    try {
        std::vector<std::uint8_t> nps;
        std::vector<double> seconds;
        std::vector<bool> is_chat;
        read_columns(path, nps, seconds, is_chat);

        std::vector<std::uint8_t> chat, email;
        for (std::size_t i = 0; i < nps.size(); ++i)
            (is_chat[i] ? chat : email).push_back(nps[i]);
        rtn::nps_histogram by_chat, by_email;
        by_chat.add(chat);
        by_email.add(email);
        rtn::nps_histogram all = by_chat;
        all += by_email; // merging partial states: the same as counting everything at once

        const auto s = all.summarise();
        std::cout << "libretention " << rtn_version_string() << " from C++: NPS " << s.nps
                  << " (95% CI " << s.low << " to " << s.high << ") over "
                  << s.promoters + s.passives + s.detractors << " responses; AHT "
                  << rtn::handle_time_mean(seconds) << " s\n";

        rtn::nps_histogram broken;
        broken.add({9, 10, 11}); // 11 is off the 0-10 scale: throws, naming index 2
    } catch (const rtn::error &e) {
        std::cout << "rejected as expected: " << e.what() << "\n";
        return e.code() == RTN_EDOMAIN ? 0 : 1;
    } catch (const std::exception &e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    std::cerr << "the bad score was not rejected\n";
    return 1;
}
