using Spectre.Console.Cli;
using Workshop.Cli.Localization;

namespace Workshop.Cli.Commands;

/// <summary>Settings of the verbs that act on one lab.</summary>
internal class LabSettings : CommandSettings
{
    [CommandArgument(0, "<LAB>")]
    [TextDescription("Help.Lab.Lab")]
    public string Lab { get; set; } = "";
}

/// <summary>Settings of the verbs that start one variant of a lab under its replay's load (heapdiff, counters).</summary>
internal class VariantLabSettings : LabSettings
{
    [CommandOption("--variant <VARIANT>")]
    [TextDescription("Help.Lab.Variant")]
    public string Variant { get; set; } = "broken";

    /// <summary>The variant's folder: Broken or Fixed.</summary>
    public string VariantFolder => Variant.Equals("fixed", StringComparison.OrdinalIgnoreCase) ? "Fixed" : "Broken";

    public override Spectre.Console.ValidationResult Validate() =>
        Variant.Equals("broken", StringComparison.OrdinalIgnoreCase) || Variant.Equals("fixed", StringComparison.OrdinalIgnoreCase)
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error($"--variant must be broken or fixed, not '{Variant}'.");
}
