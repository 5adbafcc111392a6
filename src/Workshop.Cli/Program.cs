using System.Globalization;
using Spectre.Console;
using Workshop.Cli;
using Workshop.Cli.Check;
using Workshop.Cli.Infrastructure;
using Workshop.Toolkit.Repository;

// Results go to stdout; progress, notes and errors to stderr, so `workshop replay 01 --json | jq` gets JSON only.
var stdout = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

// Registered before anything starts a service: the first Ctrl+C cancels the commands' token and they stop their
// services; a second one, or SIGTERM, ends the process at once and every child is killed on the way out.
using var signals = new StopSignals(stderr);

string root;
try { root = Repo.Root; }
catch (DirectoryNotFoundException e)
{
    stderr.Write(RawLine.Error(e.Message));
    return ExitCodes.Usage;
}

// WORKSHOP_STATE: where learner state and a running game day's record live (default: .workshop/ under the root).
var workspace = new Workspace(root, stdout, stderr, Environment.GetEnvironmentVariable("WORKSHOP_STATE") is { Length: > 0 } state ? state : null);
// --lang zh-CN|en, else WORKSHOP_LANG, else the system locale: the language of every text the CLI, its help and its live
// page show.
return await WorkshopApp.RunAsync(() => WorkshopApp.Create(workspace, new DotnetSpecRunner()), stderr, args, Environment.GetEnvironmentVariable, CultureInfo.CurrentUICulture, signals.Token);
