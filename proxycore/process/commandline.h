#pragma once

// lbscope's command line: nginx's options read as nginx 1.22 reads them (single letters that
// may be run together, -tq; a value joined to its letter or in the next word, -cFILE or
// -c FILE; the last of a repeated option wins), beside LB Scope's own long options.
//
//   nginx's:   -? -h -v -V -t -T -q -s SIGNAL -p PREFIX -e FILE -c FILE -g DIRECTIVES
//   LB Scope:  --config FILE --headless --demo --no-demo --trace --admin ADDR:PORT
//              --admin-allow-remote --log-capacity N --help --help-all --version
//
// Which program runs: the window for no option, --config and --no-demo; the engine without a
// window (in the foreground: "daemon" is not followed) for nginx's -c -p -e -g -q, --headless
// and the other engine options; -t/-T test the configuration; -s signals a running process.

#include <QString>
#include <QStringList>

#include <optional>

namespace lbscope {

struct CommandLine
{
    enum class Mode {
        Window,
        Headless,
        Test,   // -t, -T
        Signal, // -s
        Help,   // -h, -?, --help, --help-all
        Version // --version (LB Scope's own)
    };

    // nginx's
    std::optional<QString> prefix;     // -p
    std::optional<QString> configFile; // -c or --config, as written
    bool configLong = false;           // it came from --config
    std::optional<QString> errorLog;   // -e
    QString globalDirectives;          // -g
    bool test = false;                 // -t (or -T)
    bool dump = false;                 // -T
    bool quiet = false;                // -q
    bool showVersion = false;          // -v
    bool showBuild = false;            // -V
    QString signal;                    // -s
    bool help = false;

    // LB Scope's
    bool headless = false;
    bool demo = false;
    bool noDemo = false;
    bool trace = false;
    QString admin;
    bool adminAllowRemote = false;
    qsizetype logCapacity = 100'000;
    bool helpAll = false;
    bool lbscopeVersion = false;

    Mode mode() const;
    // Whether paths follow nginx's prefix (-p, -c, or no --config), not the file's folder.
    bool nginxPaths() const;
    // nginx's prefix with its trailing slash: -p, else the current directory.
    QString effectivePrefix() const;
    // The configuration file as nginx names it: the prefix joined with -c (default
    // conf/nginx.conf, as nginx built without --conf-path), nothing cleaned; --config alone
    // is made absolute from the current directory.
    QString configPath() const;
    // -e made absolute from the prefix, or "stderr"; empty without -e.
    QString errorLogPath() const;

    // arguments without the program's name. On error: nullopt and *error, worded as nginx
    // words it ("invalid option: \"x\"", "option \"-c\" requires file name").
    static std::optional<CommandLine> parse(const QStringList &arguments, QString *error);
    // What -h and --help print.
    static QString helpText();
};

} // namespace lbscope
