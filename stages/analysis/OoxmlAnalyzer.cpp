// OOXML analysis (DOCX, XLSX and their macro/template siblings) with libzip and pugixml:
// zip-bomb limits checked from the central directory before anything is inflated (entries,
// per-part ratio, total inflated bytes — what Apache POI's ZipSecureFile checks); active
// content (vbaProject.bin, ActiveX controls, OLE embeddings, external relationships such as a
// remote template); the text; and for a Word document the fonts and sizes of the body text
// (direct formatting, then character and paragraph styles through basedOn, then the document
// defaults and the theme fonts).
#include <zip.h>

#include <map>
#include <memory>
#include <pugixml.hpp>
#include <set>

#include "analysis/DocumentAnalysis.hpp"

namespace sot::analysis {

namespace {

// A zip bomb is recorded as damage with a note, so the rules can choose its code.
void bomb(AnalysisFacts& f, std::string reason) {
  f.notes["zip_bomb"] = true;
  f.corrupt = std::move(reason);
}

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};

class Package {
 public:
  Package(std::string_view data, const AnalysisLimits& limits, AnalysisFacts& f)
      : limits_(limits), f_(f) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
    if (!src) {
      f.corrupt = "the ZIP container cannot be read";
      return;
    }
    zip_.reset(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
    if (!zip_) {
      zip_source_free(src);
      f.corrupt = std::string("the ZIP container is damaged: ") + zip_error_strerror(&err);
      zip_error_fini(&err);
      return;
    }
    zip_error_fini(&err);
    const zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
    if (n < 0 || static_cast<std::uint64_t>(n) > limits.max_zip_entries) {
      bomb(f, "zip bomb: " + std::to_string(n) + " entries (limit " +
                  std::to_string(limits.max_zip_entries) + ")");
      zip_.reset();
      return;
    }
    std::uint64_t total = 0;
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0) continue;
      const std::string name = st.name ? st.name : "";
      names_.push_back(name);
      total += st.size;
      const std::uint64_t ratio = st.comp_size > 0 ? st.size / st.comp_size : st.size;
      if (st.size > (1u << 20) && ratio > limits.max_zip_ratio) {
        bomb(f, "zip bomb: part '" + name + "' inflates " + std::to_string(ratio) +
                    " times (limit " + std::to_string(limits.max_zip_ratio) + ")");
        zip_.reset();
        return;
      }
    }
    if (total > limits.max_zip_inflated_bytes) {
      bomb(f, "zip bomb: " + std::to_string(total) + " bytes when inflated (limit " +
                  std::to_string(limits.max_zip_inflated_bytes) + ")");
      zip_.reset();
    }
  }

  bool ok() const { return zip_ != nullptr; }
  const std::vector<std::string>& names() const { return names_; }
  bool has(const std::string& name) const {
    return std::find(names_.begin(), names_.end(), name) != names_.end();
  }

  // A part's bytes (bounded), or nullopt if absent; a read failure marks the file corrupt.
  std::optional<std::string> read(const std::string& name) {
    const zip_int64_t idx = zip_name_locate(zip_.get(), name.c_str(), 0);
    if (idx < 0) return std::nullopt;
    zip_stat_t st;
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(idx), 0, &st) != 0)
      return std::nullopt;
    if (st.size > limits_.max_xml_part_bytes) {
      f_.limit = "part '" + name + "' is larger than " + std::to_string(limits_.max_xml_part_bytes);
      return std::nullopt;
    }
    zip_file_t* file = zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(idx), 0);
    if (!file) {
      f_.corrupt = "part '" + name + "' cannot be opened (unsupported compression or damage)";
      return std::nullopt;
    }
    std::string out(static_cast<size_t>(st.size), '\0');
    zip_int64_t got = 0;
    while (got < static_cast<zip_int64_t>(out.size())) {
      const zip_int64_t r =
          zip_fread(file, out.data() + got, out.size() - static_cast<size_t>(got));
      if (r <= 0) break;
      got += r;
    }
    const bool complete = got == static_cast<zip_int64_t>(out.size());
    zip_fclose(file);
    if (!complete) {
      f_.corrupt = "part '" + name + "' is truncated or damaged";
      return std::nullopt;
    }
    return out;
  }

  bool xml(const std::string& name, pugi::xml_document& doc) {
    auto bytes = read(name);
    if (!bytes) return false;
    // No DOCTYPE processing: no entities to expand.
    const auto r =
        doc.load_buffer(bytes->data(), bytes->size(), pugi::parse_default & ~pugi::parse_doctype);
    if (!r) {
      f_.corrupt = "part '" + name + "' is not well-formed XML: " + r.description();
      return false;
    }
    return true;
  }

 private:
  const AnalysisLimits& limits_;
  AnalysisFacts& f_;
  std::unique_ptr<zip_t, ZipDiscard> zip_;
  std::vector<std::string> names_;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string local(const char* name) {
  const char* colon = std::strchr(name, ':');
  return colon ? colon + 1 : name;
}

// A target another machine serves: a URL, a UNC path, or a file URL with a host.
bool is_remote(const std::string& target) {
  std::string t;
  for (char c : target.substr(0, 16))
    t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto starts = [&](const char* p) { return t.rfind(p, 0) == 0; };
  return starts("http:") || starts("https:") || starts("ftp:") || starts("\\\\") || starts("//") ||
         (starts("file://") && t.size() > 7 && t[7] != '/') || starts("file:////");
}

void find_active(Package& pkg, std::string_view format, AnalysisFacts& f) {
  auto add = [&](const char* kind, const std::string& where) {
    if (f.active.size() < 32) f.active.push_back({kind, where});
  };
  if (format == "docm" || format == "xlsm" || format == "dotm" || format == "xltm")
    add("macro", "macro-enabled package");
  for (const auto& n : pkg.names()) {
    if (ends_with(n, "vbaProject.bin") || ends_with(n, "vbaProjectSignature.bin"))
      add("macro", n);
    else if (n.find("/activeX/") != std::string::npos && ends_with(n, ".xml"))
      add("activex", n);
    else if (n.find("/embeddings/") != std::string::npos)
      add("ole_object", n);
  }
  // External relationships that fetch or run something (hyperlinks are ordinary links).
  static const std::set<std::string> kFetching = {
      "attachedTemplate", "externalLink", "oleObject", "subDocument", "frame",
      "externalLinkPath", "package",      "control"};
  for (const auto& n : pkg.names()) {
    if (!ends_with(n, ".rels")) continue;
    pugi::xml_document doc;
    if (!pkg.xml(n, doc)) return;
    for (pugi::xml_node rel : doc.document_element().children()) {
      if (std::string_view(rel.attribute("TargetMode").value()) != "External") continue;
      const std::string type = rel.attribute("Type").value();
      const std::string last = type.substr(type.rfind('/') + 1);
      const std::string target = rel.attribute("Target").value();
      if (!kFetching.count(last)) continue;
      // A template on the author's own disk is what Word records for documents made from
      // one; only a template fetched from elsewhere (remote template injection) is active.
      if (last == "attachedTemplate" && !is_remote(target)) continue;
      add("external_link", n + ": " + last + " → " + target);
    }
  }
}

// --- Word text and fonts -----------------------------------------------------------------

struct RunProps {
  std::optional<std::string> font;  // resolved name or a theme reference "theme:minor"
  std::optional<double> size_pt;
};

RunProps props_of(pugi::xml_node rpr) {
  RunProps p;
  if (!rpr) return p;
  for (pugi::xml_node c : rpr.children()) {
    const std::string n = local(c.name());
    if (n == "rFonts") {
      for (const char* a : {"w:ascii", "w:hAnsi", "w:cs"})
        if (auto v = c.attribute(a); v && *v.value()) {
          p.font = v.value();
          break;
        }
      if (!p.font)
        for (const char* a : {"w:asciiTheme", "w:hAnsiTheme"})
          if (auto v = c.attribute(a); v && *v.value()) {
            p.font = std::string("theme:") +
                     (std::string_view(v.value()).find("major") == 0 ? "major" : "minor");
            break;
          }
    } else if (n == "sz") {
      if (auto v = c.attribute("w:val")) p.size_pt = v.as_double() / 2.0;
    }
  }
  return p;
}

void overlay(RunProps& base, const RunProps& top) {
  if (top.font) base.font = top.font;
  if (top.size_pt) base.size_pt = top.size_pt;
}

class Styles {
 public:
  void load(pugi::xml_document& styles, pugi::xml_document* theme) {
    pugi::xml_node root = styles.document_element();
    for (pugi::xml_node c : root.children()) {
      const std::string n = local(c.name());
      if (n == "docDefaults") {
        defaults_ = props_of(c.child("w:rPrDefault").child("w:rPr"));
      } else if (n == "style") {
        Style s;
        s.based_on = c.child("w:basedOn").attribute("w:val").value();
        s.props = props_of(c.child("w:rPr"));
        if (std::string_view(c.attribute("w:default").value()) == "1" &&
            std::string_view(c.attribute("w:type").value()) == "paragraph")
          default_paragraph_ = c.attribute("w:styleId").value();
        styles_[c.attribute("w:styleId").value()] = s;
      }
    }
    if (theme) {
      for (pugi::xpath_node n :
           theme->select_nodes("//*[local-name()='majorFont']/*[local-name()='latin']"))
        major_ = n.node().attribute("typeface").value();
      for (pugi::xpath_node n :
           theme->select_nodes("//*[local-name()='minorFont']/*[local-name()='latin']"))
        minor_ = n.node().attribute("typeface").value();
    }
  }

  RunProps style(const std::string& id, int depth = 0) const {
    RunProps p;
    auto it = styles_.find(id);
    if (it == styles_.end() || depth > 16) return p;
    if (!it->second.based_on.empty()) p = style(it->second.based_on, depth + 1);
    overlay(p, it->second.props);
    return p;
  }

  RunProps resolve(const std::string& paragraph_style, const std::string& run_style,
                   const RunProps& direct) const {
    RunProps p = defaults_;
    overlay(p, style(paragraph_style.empty() ? default_paragraph_ : paragraph_style));
    if (!run_style.empty()) overlay(p, style(run_style));
    overlay(p, direct);
    if (p.font && p.font->rfind("theme:", 0) == 0)
      p.font = *p.font == "theme:major" ? major_ : minor_;
    return p;
  }

 private:
  struct Style {
    std::string based_on;
    RunProps props;
  };
  std::map<std::string, Style> styles_;
  RunProps defaults_;
  std::string default_paragraph_;
  std::string major_ = "Calibri Light", minor_ = "Calibri";
};

size_t utf8_chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

void analyze_word(Package& pkg, const AnalysisLimits& limits, AnalysisFacts& f) {
  pugi::xml_document doc;
  if (!pkg.xml("word/document.xml", doc)) {
    if (!f.corrupt && !f.limit) f.corrupt = "word/document.xml is missing";
    return;
  }
  pugi::xml_document styles_doc, theme_doc;
  Styles styles;
  const bool have_theme =
      pkg.has("word/theme/theme1.xml") && pkg.xml("word/theme/theme1.xml", theme_doc);
  if (pkg.has("word/styles.xml") && pkg.xml("word/styles.xml", styles_doc))
    styles.load(styles_doc, have_theme ? &theme_doc : nullptr);
  std::map<std::pair<std::string, double>, std::uint64_t> use;
  for (pugi::xpath_node pn : doc.select_nodes("//w:body//w:p")) {
    pugi::xml_node p = pn.node();
    const std::string pstyle = p.child("w:pPr").child("w:pStyle").attribute("w:val").value();
    std::string line;
    for (pugi::xpath_node rn : p.select_nodes(".//w:r")) {
      pugi::xml_node r = rn.node();
      std::string text;
      for (pugi::xml_node t : r.children())
        if (local(t.name()) == "t")
          text += t.text().get();
        else if (local(t.name()) == "tab")
          text += '\t';
      if (text.empty()) continue;
      line += text;
      const std::string rstyle = r.child("w:rPr").child("w:rStyle").attribute("w:val").value();
      const RunProps rp = styles.resolve(pstyle, rstyle, props_of(r.child("w:rPr")));
      use[{rp.font.value_or("(default)"), rp.size_pt.value_or(10.0)}] += utf8_chars(text);
    }
    if (f.text.size() < limits.max_text_bytes) f.text += line + "\n";
  }
  for (const auto& [key, chars] : use) f.fonts.push_back({key.first, key.second, chars});
  std::sort(f.fonts.begin(), f.fonts.end(),
            [](const FontUse& a, const FontUse& b) { return a.chars > b.chars; });
  f.pages = 1;
}

void analyze_sheet(Package& pkg, const AnalysisLimits& limits, AnalysisFacts& f) {
  if (!pkg.has("xl/workbook.xml")) {
    f.corrupt = "xl/workbook.xml is missing";
    return;
  }
  int sheets = 0;
  for (const auto& n : pkg.names()) {
    const bool shared = n == "xl/sharedStrings.xml";
    const bool sheet = n.rfind("xl/worksheets/sheet", 0) == 0 && ends_with(n, ".xml");
    if (!shared && !sheet) continue;
    sheets += sheet;
    pugi::xml_document doc;
    if (!pkg.xml(n, doc)) return;
    for (pugi::xpath_node t : doc.select_nodes("//*[local-name()='t']")) {
      if (f.text.size() >= limits.max_text_bytes) break;
      f.text += t.node().text().get();
      f.text += '\n';
    }
  }
  f.pages = std::max(1, sheets);
  f.notes["sheets"] = sheets;
}

}  // namespace

AnalysisFacts analyze_ooxml(std::string_view data, std::string_view format,
                            const AnalysisLimits& limits) {
  AnalysisFacts f;
  f.format = std::string(format);
  f.analysed = true;
  Package pkg(data, limits, f);
  if (!pkg.ok()) return f;
  find_active(pkg, format, f);
  if (f.corrupt || f.limit) return f;
  // Pictures (a scan pasted into Word) and drawings: content that is not text.
  int media = 0;
  for (const auto& n : pkg.names())
    if (n.rfind("word/media/", 0) == 0 || n.rfind("xl/media/", 0) == 0 ||
        n.rfind("xl/drawings/", 0) == 0 || n.rfind("word/embeddings/", 0) == 0)
      ++media;
  f.notes["media_parts"] = media;
  if (format[0] == 'd')
    analyze_word(pkg, limits, f);
  else
    analyze_sheet(pkg, limits, f);
  return f;
}

}  // namespace sot::analysis
