using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Check;
using Workshop.Cli.Commands;
using Workshop.Cli.Infrastructure;
using Workshop.Cli.Localization;

namespace Workshop.Cli;

/// <summary>The `workshop` command line: its verbs, their help, and how errors become exit codes.</summary>
internal static class WorkshopApp
{
    /// <summary>
    /// The application over <paramref name="workspace"/>. Tests build it with TestConsoles, a scratch repository
    /// and, for `check`, a fake spec runner; Program builds it with the real ones.
    /// </summary>
    public static CommandApp Create(Workspace workspace, ISpecRunner specRunner, WatchTiming? watchTiming = null)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("workshop");
            config.ConfigureConsole(workspace.Out);
            config.Settings.Registrar.RegisterInstance(workspace);
            config.Settings.Registrar.RegisterInstance(specRunner);
            config.Settings.Registrar.RegisterInstance(watchTiming ?? WatchTiming.Default);
            config.Settings.StrictParsing = true;
            config.SetExceptionHandler((exception, _) => Report(workspace.Err, exception));

            config.AddCommand<ListCommand>("list")
                .WithDescription("Every lab: its title, its symptom, and your spec's last result against your Broken copy.");
            config.AddCommand<ReplayCommand>("replay")
                .WithDescription("Replays a lab's incident: Broken and Fixed as real processes under the same load, side by side, with charts.")
                .WithExample("replay", "all")
                .WithExample("replay", "01", "--scale", "0.5")
                .WithExample("replay", "01", "--json");
            config.AddCommand<LiveCommand>("live")
                .WithDescription("Runs a lab's Broken and Fixed side by side under the same steady load, on a live page whose switches turn the incident on and off in both.")
                .WithExample("live", "01")
                .WithExample("live", "01", "--minutes", "20", "--no-browser");
            config.AddCommand<GamedayCommand>("gameday")
                .WithDescription("A game day: one lab's Broken service, unnamed, under its incident's traffic, an alert and a clock; --reveal names it and marks the teams' diagnoses.")
                .WithExample("gameday", "--seed", "1", "--minutes", "30")
                .WithExample("gameday", "--reveal", "team-a.md", "team-b.md");
            config.AddCommand<CheckCommand>("check")
                .WithDescription("Runs a lab's spec against your Broken copy: each test green or red, and a hint when red.")
                .WithExample("check", "01")
                .WithExample("check", "01", "--watch");
            config.AddCommand<HintCommand>("hint")
                .WithDescription("Shows a lab's next hint, from a nudge to the exact lines.")
                .WithExample("hint", "01")
                .WithExample("hint", "01", "--reset");
            config.AddCommand<DiffCommand>("diff")
                .WithDescription("Shows the reference fix: Broken against Fixed, names normalised, so only the fix shows.")
                .WithExample("diff", "01");
            config.AddCommand<HeapDiffCommand>("heapdiff")
                .WithDescription("The leak hunt in one command: a lab's live heap before and after its replay's load, the types that grew most and what holds them.")
                .WithExample("heapdiff", "02")
                .WithExample("heapdiff", "02", "--variant", "fixed", "--requests", "2000");
            config.AddCommand<CountersCommand>("counters")
                .WithDescription("A lab's service under its replay's load, its runtime counters live (heap, allocation, thread pool, gen 2), a line a second.")
                .WithExample("counters", "02")
                .WithExample("counters", "01", "--seconds", "30", "--monitor");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Checks this machine: the .NET SDK against global.json, local tools, loopback ports, optional load tools.");
        });
        return app;
    }

    /// <summary>
    /// Runs <paramref name="app"/> in the language <c>--lang</c>, <c>WORKSHOP_LANG</c> or the locale of
    /// <paramref name="environment"/> asks for: the UI culture flows with the run into every command, so each text the
    /// run shows comes from that language's resources.
    /// </summary>
    public static async Task<int> RunAsync(CommandApp app, IAnsiConsole err, string[] args, Func<string, string?> environment, CultureInfo system, CancellationToken ct)
    {
        CultureInfo culture;
        string[] rest;
        try
        {
            (culture, rest) = Language.Choose(args, environment, system);
        }
        catch (UsageException e)
        {
            err.Write(RawLine.Error(Texts.Get("App.UsageError", e.Message)));
            return ExitCodes.Usage;
        }

        CultureInfo.CurrentUICulture = culture;
        return await app.RunAsync(rest, ct);
    }

    /// <summary>One line on stderr for any error; exit 2 when the arguments were at fault.</summary>
    private static int Report(IAnsiConsole err, Exception exception)
    {
        switch (exception)
        {
            case OperationCanceledException:
                err.MarkupLine(Texts.Get("App.Cancelled"));
                return ExitCodes.Interrupted;
            case CommandParseException or CommandRuntimeException or UsageException:
                err.Write(RawLine.Error(Texts.Get("App.UsageError", OneLine(exception.Message))));
                return ExitCodes.Usage;
            default:
                err.MarkupLine(Texts.Get("App.Failed", Markup.Escape(Messages.Of(exception))));
                if (Environment.GetEnvironmentVariable("WORKSHOP_DEBUG") == "1") err.WriteException(exception);
                return ExitCodes.Failed;
        }
    }

    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
