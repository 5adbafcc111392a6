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
                .WithDescription(Texts.Get("Help.Command.list"));
            config.AddCommand<ReplayCommand>("replay")
                .WithDescription(Texts.Get("Help.Command.replay"))
                .WithExample("replay", "all")
                .WithExample("replay", "01", "--scale", "0.5")
                .WithExample("replay", "01", "--json");
            config.AddCommand<LiveCommand>("live")
                .WithDescription(Texts.Get("Help.Command.live"))
                .WithExample("live", "01")
                .WithExample("live", "01", "--minutes", "20", "--no-browser");
            config.AddCommand<GamedayCommand>("gameday")
                .WithDescription(Texts.Get("Help.Command.gameday"))
                .WithExample("gameday", "--seed", "1", "--minutes", "30")
                .WithExample("gameday", "--reveal", "team-a.md", "team-b.md");
            config.AddCommand<CheckCommand>("check")
                .WithDescription(Texts.Get("Help.Command.check"))
                .WithExample("check", "01")
                .WithExample("check", "01", "--watch");
            config.AddCommand<HintCommand>("hint")
                .WithDescription(Texts.Get("Help.Command.hint"))
                .WithExample("hint", "01")
                .WithExample("hint", "01", "--reset");
            config.AddCommand<DiffCommand>("diff")
                .WithDescription(Texts.Get("Help.Command.diff"))
                .WithExample("diff", "01");
            config.AddCommand<HeapDiffCommand>("heapdiff")
                .WithDescription(Texts.Get("Help.Command.heapdiff"))
                .WithExample("heapdiff", "02")
                .WithExample("heapdiff", "02", "--variant", "fixed", "--requests", "2000");
            config.AddCommand<CountersCommand>("counters")
                .WithDescription(Texts.Get("Help.Command.counters"))
                .WithExample("counters", "02")
                .WithExample("counters", "01", "--seconds", "30", "--monitor");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription(Texts.Get("Help.Command.doctor"));
        });
        return app;
    }

    /// <summary>
    /// Builds the application with <paramref name="create"/> and runs it in the language <c>--lang</c>,
    /// <c>WORKSHOP_LANG</c> or the locale of <paramref name="environment"/> asks for: the UI culture is set before the
    /// application is configured (its commands' help comes from the resources) and flows with the run into every
    /// command, so each text the run shows, its help included, comes from that language's resources.
    /// </summary>
    public static async Task<int> RunAsync(Func<CommandApp> create, IAnsiConsole err, string[] args, Func<string, string?> environment, CultureInfo system, CancellationToken ct)
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
        return await create().RunAsync(rest, ct);
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
