using System.ComponentModel.DataAnnotations;

namespace Lab10;

/// <summary>The incident knobs, read from the <c>Lab</c> section (environment: <c>Lab__Inventory=127.0.0.1:5091</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>The inventory backend's protocol endpoint, <c>host:port</c>: one TCP connection carries every call.</summary>
    [Required]
    [RegularExpression(@"^[^:\s]+:\d{1,5}$")]
    public string Inventory { get; set; } = "127.0.0.1:5091";
}
