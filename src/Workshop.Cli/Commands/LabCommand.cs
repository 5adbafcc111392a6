using Spectre.Console;
using Spectre.Console.Cli;
using Workshop.Cli.Infrastructure;

namespace Workshop.Cli.Commands;

/// <summary>
/// A verb on one lab: an unknown lab is rejected while the arguments are validated, so it gets the one-line
/// usage error and exit code 2 before anything starts.
/// </summary>
internal abstract class LabCommand<TSettings>(Workspace workspace) : AsyncCommand<TSettings> where TSettings : LabSettings
{
    protected Workspace Workspace { get; } = workspace;

    public override ValidationResult Validate(CommandContext context, TSettings settings)
    {
        try
        {
            Workspace.FindLab(settings.Lab);
            return ValidationResult.Success();
        }
        catch (UsageException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    /// <summary>The lab's replay scenario, whose knobs and load <paramref name="verb"/> uses.</summary>
    /// <exception cref="UsageException">The lab has no replay.</exception>
    protected static Task<Workshop.Toolkit.Replay.LabScenario> LoadScenarioAsync(Workshop.Toolkit.Repository.LabInfo lab, string verb, CancellationToken ct) =>
        Workshop.Toolkit.Replay.Scenarios.HasReplay(lab)
            ? Workshop.Toolkit.Replay.Scenarios.LoadAsync(lab, ct)
            : throw new UsageException($"Lab {lab.Name} has no replay (labs/{lab.Name}/Replay/), whose load {verb} puts on the service.");
}
