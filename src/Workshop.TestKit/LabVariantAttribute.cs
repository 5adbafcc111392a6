namespace Workshop.TestKit;

/// <summary>
/// Names one service a lab's spec runs against. Every lab declares <c>fixed</c> and <c>broken</c>; a lab may
/// declare more broken variants (lab 01's <c>naive-fix</c>).
/// <code>[assembly: LabVariant("broken", typeof(Lab01.Broken.Marker))]</code>
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class LabVariantAttribute(string name, Type marker) : Attribute
{
    public string Name { get; } = name;
    public Type Marker { get; } = marker;
}
