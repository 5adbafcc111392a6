using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Workshop.ServiceKit;

/// <summary>
/// Fails the start when the <c>Lab</c> section holds a key that is neither a settable property of
/// <typeparamref name="TOptions"/> nor named in <see cref="WorkshopServiceExtensions.OtherVariantsKnobsKey"/>.
/// Read when the options are first built, so settings a test host adds late are seen too.
/// </summary>
internal sealed class KnownKnobs<TOptions>(IConfiguration configuration) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var knobs = typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => p.Name)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var elsewhere = (configuration[WorkshopServiceExtensions.OtherVariantsKnobsKey] ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = configuration.GetSection(WorkshopServiceExtensions.KnobSection).GetChildren()
            .Select(c => c.Key)
            .Where(k => !knobs.Contains(k) && !elsewhere.Contains(k))
            .Order(StringComparer.Ordinal)
            .ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{string.Join(", ", unknown.Select(k => $"'{WorkshopServiceExtensions.KnobSection}:{k}'"))} {(unknown.Count == 1 ? "is not a knob" : "are not knobs")} " +
                $"this service reads (its knobs: {string.Join(", ", knobs.Order(StringComparer.Ordinal))}); a misspelt or renamed knob would leave the default in place.");
    }
}
