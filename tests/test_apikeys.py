from renlayer_core import apikeys


def test_generated_key_shape_and_checksum() -> None:
    key = apikeys.generate()
    assert key.startswith("rlk_")
    assert len(key) == apikeys.KEY_LEN == 40
    assert apikeys.is_well_formed(key)


def test_checksum_detects_a_changed_character() -> None:
    key = apikeys.generate()
    body_char = key[10]
    swapped = "A" if body_char != "A" else "B"
    tampered = key[:10] + swapped + key[11:]
    assert not apikeys.is_well_formed(tampered)


def test_rejects_wrong_prefix_length_and_alphabet() -> None:
    key = apikeys.generate()
    assert not apikeys.is_well_formed("rlx_" + key[4:])
    assert not apikeys.is_well_formed(key[:-1])
    assert not apikeys.is_well_formed(key[:5] + "-" + key[6:])


def test_hash_depends_on_pepper_and_display_hides_secret() -> None:
    key = apikeys.generate()
    h1 = apikeys.hash_secret(key, b"pepper-1")
    h2 = apikeys.hash_secret(key, b"pepper-2")
    assert h1 != h2 and len(h1) == 64
    assert apikeys.display(key) == "rlk_…" + key[-4:]
    assert key[4:-4] not in apikeys.display(key)
