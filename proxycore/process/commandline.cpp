#include "process/commandline.h"

#include "process/signalcommand.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace lbscope {

namespace {

QString joinPrefix(const QString &prefix, const QString &name)
{
    if (QDir::isAbsolutePath(name))
        return name;
    return prefix + name;
}

// LB Scope's long options; each sets one field, some take a value.
bool parseLongOption(CommandLine &line, const QString &option, const QStringList &arguments, qsizetype *index,
                     QString *error)
{
    QString name = option.mid(2);
    std::optional<QString> inlineValue;
    if (const qsizetype equals = name.indexOf(u'='); equals >= 0) {
        inlineValue = name.mid(equals + 1);
        name.truncate(equals);
    }
    const auto value = [&](QString *out) {
        if (inlineValue) {
            *out = *inlineValue;
            return true;
        }
        if (*index + 1 >= arguments.size()) {
            *error = u"option \"--%1\" requires a value"_s.arg(name);
            return false;
        }
        *out = arguments[++*index];
        return true;
    };
    const auto flag = [&](bool *field) {
        if (inlineValue) {
            *error = u"option \"--%1\" takes no value"_s.arg(name);
            return false;
        }
        *field = true;
        return true;
    };
    if (name == "config"_L1) {
        QString file;
        if (!value(&file))
            return false;
        line.configFile = file;
        line.configLong = true;
        return true;
    }
    if (name == "admin"_L1)
        return value(&line.admin);
    if (name == "log-capacity"_L1) {
        QString text;
        if (!value(&text))
            return false;
        bool ok = false;
        line.logCapacity = text.toLongLong(&ok);
        if (!ok || line.logCapacity < 1) {
            *error = u"--log-capacity wants a positive number"_s;
            return false;
        }
        return true;
    }
    struct Flag
    {
        QLatin1StringView name;
        bool CommandLine::*field;
    };
    static const Flag flags[] = {
        {"headless"_L1, &CommandLine::headless},
        {"demo"_L1, &CommandLine::demo},
        {"no-demo"_L1, &CommandLine::noDemo},
        {"trace"_L1, &CommandLine::trace},
        {"admin-allow-remote"_L1, &CommandLine::adminAllowRemote},
        {"help"_L1, &CommandLine::help},
        {"help-all"_L1, &CommandLine::helpAll},
        {"version"_L1, &CommandLine::lbscopeVersion},
    };
    for (const Flag &candidate : flags) {
        if (name == candidate.name)
            return flag(&(line.*candidate.field));
    }
    *error = u"unknown option \"%1\" (try lbscope --help)"_s.arg(option);
    return false;
}

} // namespace

std::optional<CommandLine> CommandLine::parse(const QStringList &arguments, QString *error)
{
    CommandLine line;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments[i];
        if (argument.startsWith("--"_L1) && argument.size() > 2) {
            if (!parseLongOption(line, argument, arguments, &i, error))
                return std::nullopt;
            continue;
        }
        // nginx's ngx_get_options: every word starts with '-', its letters are options, and a
        // letter that takes a value takes the rest of the word or else the next word.
        if (!argument.startsWith(u'-')) {
            *error = u"invalid option: \"%1\""_s.arg(argument);
            return std::nullopt;
        }
        for (qsizetype p = 1; p < argument.size(); ++p) {
            const QChar letter = argument[p];
            const auto takeValue = [&](QLatin1StringView what, QString *out) {
                if (p + 1 < argument.size()) {
                    *out = argument.mid(p + 1);
                } else if (i + 1 < arguments.size()) {
                    *out = arguments[++i];
                } else {
                    *error = u"option \"-%1\" requires %2"_s.arg(letter).arg(what);
                    return false;
                }
                p = argument.size(); // the word is used up
                return true;
            };
            QString value;
            switch (letter.unicode()) {
            case u'?':
            case u'h':
                line.help = true;
                break;
            case u'v':
                line.showVersion = true;
                break;
            case u'V':
                line.showVersion = line.showBuild = true;
                break;
            case u't':
                line.test = true;
                break;
            case u'T':
                line.test = line.dump = true;
                break;
            case u'q':
                line.quiet = true;
                break;
            case u'p':
                if (!takeValue("directory name"_L1, &value))
                    return std::nullopt;
                line.prefix = value;
                break;
            case u'e':
                if (!takeValue("file name"_L1, &value))
                    return std::nullopt;
                line.errorLog = value;
                break;
            case u'c':
                if (!takeValue("file name"_L1, &value))
                    return std::nullopt;
                line.configFile = value;
                line.configLong = false;
                break;
            case u'g':
                if (!takeValue("parameter"_L1, &value))
                    return std::nullopt;
                line.globalDirectives = value;
                break;
            case u's':
                if (!takeValue("parameter"_L1, &value))
                    return std::nullopt;
                if (!SignalCommand::signalNumber(value)) {
                    *error = u"invalid option: \"-s %1\""_s.arg(value);
                    return std::nullopt;
                }
                line.signal = value;
                break;
            default:
                *error = u"invalid option: \"%1\""_s.arg(letter);
                return std::nullopt;
            }
        }
    }
    return line;
}

CommandLine::Mode CommandLine::mode() const
{
    if (help || helpAll)
        return Mode::Help;
    if (lbscopeVersion)
        return Mode::Version;
    if (test)
        return Mode::Test;
    if (!signal.isEmpty())
        return Mode::Signal;
    if (noDemo)
        return Mode::Window;
    const bool engineOption = headless || demo || trace || !admin.isEmpty() || adminAllowRemote;
    const bool nginxOption = prefix || (configFile && !configLong) || errorLog || !globalDirectives.isEmpty() || quiet;
    return engineOption || nginxOption ? Mode::Headless : Mode::Window;
}

bool CommandLine::nginxPaths() const
{
    return prefix || !configFile || !configLong;
}

QString CommandLine::effectivePrefix() const
{
    QString base = prefix ? *prefix : QDir::currentPath();
    if (!base.endsWith(u'/'))
        base += u'/';
    return base;
}

QString CommandLine::configPath() const
{
    if (configFile && configLong && !prefix)
        return QFileInfo(*configFile).absoluteFilePath();
    return joinPrefix(effectivePrefix(), configFile.value_or(u"conf/nginx.conf"_s));
}

QString CommandLine::errorLogPath() const
{
    if (!errorLog)
        return {};
    if (*errorLog == "stderr"_L1)
        return *errorLog;
    return joinPrefix(effectivePrefix(), *errorLog);
}

QString CommandLine::helpText()
{
    return uR"(Usage: lbscope [-?hvVtTq] [-s signal] [-p prefix]
               [-e filename] [-c filename] [-g directives]
       lbscope [--config FILE] [--no-demo]          the window
       lbscope --headless --config FILE [options]   the proxy without a window
       lbscope fire URL [options]                   send test traffic (lbscope fire --help)

LB Scope: an HTTP/1.1 reverse proxy and load balancer configured in nginx syntax, that
shows where every request goes. nginx's options, as nginx 1.22 reads them:
  -?,-h         : this help
  -v            : show the nginx version followed, and exit
  -V            : show that version and the modules LB Scope does not implement, and exit
  -t            : test the configuration and exit
  -T            : test the configuration, dump it to stdout and exit
  -q            : suppress non-error messages during configuration testing
  -s signal     : send signal to the running process: stop, quit, reopen, reload
  -p prefix     : set prefix path (default: the current directory)
  -e filename   : set error log file (default: stderr)
  -c filename   : set configuration file (default: conf/nginx.conf), and run without a window
  -g directives : set global directives out of configuration file

LB Scope's own:
  --config FILE          open FILE (in the window, or with --headless)
  --headless             run the proxy engine without a window, in the foreground
  --no-demo              (window) do not start the built-in demo web apps
  --demo                 start a built-in demo web app on every loopback upstream address
  --trace                print a line per request: where it went and why
  --admin ADDR:PORT      serve /status (JSON) and /metrics (Prometheus) there
  --admin-allow-remote   let --admin listen on an address other than loopback
  --log-capacity N       requests the in-memory access log keeps (default 100000)
  --version              print LB Scope's version
)"_s;
}

} // namespace lbscope
