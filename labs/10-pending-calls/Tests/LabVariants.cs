using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab10.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab10.Broken.Marker))]
