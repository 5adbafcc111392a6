using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab07.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab07.Broken.Marker))]
