using System.ComponentModel;
using Spectre.Console.Cli;

namespace Workshop.Cli.Commands;

/// <summary>Settings of the verbs that act on one lab.</summary>
internal class LabSettings : CommandSettings
{
    [CommandArgument(0, "<LAB>")]
    [Description("The lab: 01, 1 or 01-logging-blocking.")]
    public string Lab { get; set; } = "";
}
