"""The datasets list pages past 50 datasets."""

from datasets.models import Dataset


def test_the_datasets_list_shows_50_a_page_with_the_count(client, officer, batumi):
    Dataset.objects.bulk_create(
        Dataset(
            name=f"layer_{n:03d}", municipality=batumi, title_ka=f"ფენა {n}", title_en=f"Layer {n}"
        )
        for n in range(55)
    )
    client.force_login(officer)

    first = client.get("/en/datasets/").text
    second = client.get("/en/datasets/", {"page": "2"}).text

    assert first.count("<code>layer_") == 50 and "layer_049" in first
    assert "55 datasets" in first and "Page 1 of 2" in first and 'href="?page=2"' in first
    assert second.count("<code>layer_") == 5 and "layer_054" in second
    assert 'href="?page=1" rel="prev"' in second
