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
}
