using System.Reflection;
using FluentAssertions;
using Xunit;

namespace Workshop.TestKit.Tests;

public sealed class LabVariantsTests
{
    private static readonly LabVariantAttribute[] Declared = [new("fixed", typeof(FixedMarker)), new("broken", typeof(BrokenMarker))];

    [Fact]
    public void Alternatives_HalfFixNoTestNames_IsAProblemNamingIt()
    {
        // Arrange: a half-fix beside a correct alternative, and specs that name only broken.
        var alternatives = new[] { Alternative("half-fix"), Alternative("correct-shared-client") };

        // Act
        var variants = new LabVariants("Lab99.Tests", Declared, alternatives, Methods(typeof(SpecNamingBroken)));

        // Assert
        variants.ProblemWithUncaughtAlternatives.Should().NotBeNull("a half-fix that no test must fail on would be judged by nothing")
            .And.Contain("half-fix").And.NotContain("correct-shared-client");
        variants.FirstMethod.Should().NotBeNull("the problem is reported once, from the first spec method");
    }

    [Fact]
    public void Alternatives_EachNamedByATestOrCorrect_AreNoProblem()
    {
        // Arrange
        var alternatives = new[] { Alternative("half-fix"), Alternative("deletes-the-feature"), Alternative("correct-shared-client") };

        // Act
        var variants = new LabVariants("Lab99.Tests", Declared, alternatives, Methods(typeof(SpecNamingBroken), typeof(SpecNamingAlternatives)));

        // Assert
        variants.ProblemWithUncaughtAlternatives.Should().BeNull();
        variants.Problem.Should().BeNull();
        variants.CorrectAlternatives.Should().Equal("correct-shared-client");
    }

    [Fact]
    public void Names_ACorrectAlternativeATestMustFailOn_IsAProblem()
    {
        // Arrange
        var variants = new LabVariants("Lab99.Tests", Declared, [Alternative("correct-shared-client")], Methods(typeof(SpecNamingBroken)));

        // Act
        var problem = variants.ProblemWithNames("Requests_Always_Succeed", ["broken", "correct-shared-client"]);

        // Assert
        problem.Should().Contain("correct-shared-client", "a correct-* name says it is a right fix, which no test may expect to fail");
    }

    [Fact]
    public void Declared_WithoutBroken_IsAProblem()
    {
        // Act
        var variants = new LabVariants("Lab99.Tests", [new LabVariantAttribute("fixed", typeof(FixedMarker))], [], Methods(typeof(SpecNamingBroken)));

        // Assert
        variants.Problem.Should().Contain("LabVariant(\"broken\"");
    }

    private static LabAlternativeAttribute Alternative(string name) => new(name, "Lab99." + name, "/nowhere");

    private static IEnumerable<MethodInfo> Methods(params Type[] types) =>
        types.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly));

    private sealed class FixedMarker;

    private sealed class BrokenMarker;

    // Never run (xunit runs public classes only): these classes only carry the attributes the variants read.
#pragma warning disable xUnit1000
    private sealed class SpecNamingBroken
    {
        [Incident("broken")]
        public void Requests_Always_Succeed(LabTarget target) => _ = target;
    }

    private sealed class SpecNamingAlternatives
    {
        [Incident("broken", "half-fix")]
        public void Requests_AfterErrors_Succeed(LabTarget target) => _ = target;

        [Guard("deletes-the-feature")]
        public void Feature_Always_Works(LabTarget target) => _ = target;
    }
#pragma warning restore xUnit1000
}
