using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Workshop.ServiceKit;
using Workshop.Toolkit.Repository;
using Xunit;

namespace Workshop.TestKit.Tests;

/// <summary>The knob check of the service kit, and the list of knobs a lab's variants read that the harness passes it.</summary>
public sealed class LabKnobsTests
{
    [Fact]
    public void Start_KnobTheServiceDoesNotRead_FailsNamingTheKnob()
    {
        // Arrange
        using var app = Build(("Lab:Size", "3"), ("Lab:Sise", "4"));

        // Act
        var read = () => app.Services.GetRequiredService<IOptions<Knobs>>().Value;

        // Assert
        read.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("'Lab:Sise' is not a knob").And.Contain("Size");
    }

    [Fact]
    public void Start_KnobAnotherVariantReads_IsAccepted()
    {
        // Arrange: the fix's knob, set on Broken as a spec sets it on every variant, with the list the harness passes.
        using var app = Build(("Lab:Size", "3"), ("Lab:Burst", "50"), (LabInfo.OtherVariantsKnobsKey, "Burst,Size"));

        // Act
        var knobs = app.Services.GetRequiredService<IOptions<Knobs>>().Value;

        // Assert
        knobs.Size.Should().Be(3);
    }

    [Fact]
    public void OtherVariantsKnobsKey_TheToolkitSets_IsTheOneTheServiceKitReads() =>
        LabInfo.OtherVariantsKnobsKey.Should().Be(WorkshopServiceExtensions.OtherVariantsKnobsKey);

    [Fact]
    public void KnobsOfAnyVariant_LabWhoseFixAddsKnobs_ListsBrokensAndFixeds()
    {
        // Arrange: a lab whose Broken reads one knob and whose Fixed reads that one and two more.
        using var lab = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(lab.Path, "Broken"));
        Directory.CreateDirectory(Path.Combine(lab.Path, "Fixed"));
        File.WriteAllText(Path.Combine(lab.Path, "Broken", "appsettings.json"), """{ "Logging": {}, "Lab": { "WorkFactor": 2000 } }""");
        File.WriteAllText(Path.Combine(lab.Path, "Fixed", "appsettings.json"), """{ "Lab": { "WorkFactor": 2000, "TokensPerSecond": 10, "Burst": 50 } }""");

        // Act
        var knobs = new LabInfo("99", "99-scratch", lab.Path).KnobsOfAnyVariant();

        // Assert
        knobs.Should().Be("Burst,TokensPerSecond,WorkFactor");
    }

    private static WebApplication Build(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        foreach (var (key, value) in settings) builder.Configuration[key] = value;
        builder.AddLabKnobs<Knobs>();
        return builder.Build();
    }

    private sealed class Knobs
    {
        public int Size { get; set; }
    }
}
