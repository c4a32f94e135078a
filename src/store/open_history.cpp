#include <filesystem>

#include "store/history_store.h"

namespace rtcstream {

Status OpenHistory(const std::string& data_dir, HistoryOpenMode mode,
                   std::unique_ptr<HistoryStore>* store) {
  const std::string path = data_dir + "/history.sqlite";
  std::error_code ec;
  if (mode == HistoryOpenMode::kExisting && !std::filesystem::exists(path, ec)) {
    return Status::NotFound("no history in " + data_dir + " (" + path + " does not exist)");
  }
  if (mode == HistoryOpenMode::kCreate) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Status::IOError("cannot create " + data_dir + ": " + ec.message());
  }
  return OpenSqliteStore(path, store);
}

}  // namespace rtcstream
