using Workshop.TestKit;

[assembly: LabVariant("fixed", typeof(Lab02.Fixed.Marker))]
[assembly: LabVariant("broken", typeof(Lab02.Broken.Marker))]
