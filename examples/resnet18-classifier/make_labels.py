"""Write labels.txt: the 1000 ImageNet-1k class names in output-index order, one per line.

    /usr/bin/python3 examples/resnet18-classifier/make_labels.py

The names come from torchvision's weight metadata, which is part of the installed package
(ResNet18_Weights.IMAGENET1K_V1.meta); reading it downloads nothing, only calling
get_state_dict() on the weights enum would. Line i of labels.txt names logit i.
"""

from pathlib import Path

from torchvision.models import ResNet18_Weights

categories = ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
assert len(categories) == 1000, len(categories)
# A name with a newline would shift every later label by one line.
assert all("\n" not in name and name == name.strip() for name in categories)
out = Path(__file__).resolve().parent / "labels.txt"
out.write_text("\n".join(categories) + "\n")
print(f"wrote {len(categories)} labels to {out}")
